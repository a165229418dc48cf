package dev.starling.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProcessContextTest {

    private static ProcessContext with(Map<String, String> settings) {
        return new ProcessContext() {
            @Override
            public Optional<String> setting(String name) {
                return Optional.ofNullable(settings.get(name));
            }

            @Override
            public ModuleLayer layer() {
                return ModuleLayer.boot();
            }

            @Override
            public String serverName() {
                return "Starling/test";
            }
        };
    }

    @Test
    void runsInTheNamedModule() {
        assertEquals("dev.starling.process", getClass().getModule().getName());
    }

    @Test
    void anAbsentSettingGivesTheDefault() {
        assertEquals(8192, with(Map.of()).intSetting("max-header-size", 8192, 256, 1 << 20));
    }

    @Test
    void aPresentSettingIsParsed() {
        assertEquals(1024, with(Map.of("max-header-size", "1024")).intSetting("max-header-size", 8192, 256, 1 << 20));
    }

    @Test
    void aNonIntegerSettingNamesTheFlag() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> with(Map.of("max-header-size", "big")).intSetting("max-header-size", 8192, 256, 1 << 20));
        assertEquals("--max-header-size must be an integer, was 'big'", e.getMessage());
    }

    @Test
    void anOutOfBoundsSettingNamesTheFlagAndTheBounds() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> with(Map.of("max-header-size", "10")).intSetting("max-header-size", 8192, 256, 1 << 20));
        assertEquals("--max-header-size must be between 256 and 1048576, was 10", e.getMessage());
    }
}
