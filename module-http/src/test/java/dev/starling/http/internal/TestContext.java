package dev.starling.http.internal;

import dev.starling.process.ProcessContext;
import java.util.Map;
import java.util.Optional;

/** A process context with the given settings, the boot layer and a fixed server name. */
record TestContext(Map<String, String> settings) implements ProcessContext {

    static TestContext of(String... namesAndValues) {
        Map<String, String> settings = new java.util.HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            settings.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new TestContext(Map.copyOf(settings));
    }

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
}
