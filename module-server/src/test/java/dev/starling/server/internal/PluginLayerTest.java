package dev.starling.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins folder scan, with plain jars made here (automatic modules need no compiler). */
class PluginLayerTest {

    @TempDir
    Path folder;

    /** A plain jar holding {@code files} (name → content). */
    private Path jar(String name, Map<String, String> files) throws IOException {
        Path jar = folder.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(file.getKey()));
                zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private String refusal() {
        return assertThrows(PluginException.class, () -> PluginLayer.load(folder, ModuleLayer.boot())).getMessage();
    }

    @Test
    void loadsPlainJarsAsAutomaticModulesAndIgnoresHiddenEntries() throws Exception {
        jar("alpha-lib-1.0.jar", Map.of("alpha/A.txt", "a"));
        jar("beta.jar", Map.of("beta/B.txt", "b"));
        Files.writeString(folder.resolve(".hello.jar.partial"), "half a jar");
        Files.createDirectory(folder.resolve(".git"));
        ModuleLayer layer = PluginLayer.load(folder, ModuleLayer.boot());
        assertEquals("alpha.lib (alpha-lib-1.0.jar), beta (beta.jar)", PluginLayer.describe(layer));
        assertTrue(layer.findModule("alpha.lib").orElseThrow().getDescriptor().isAutomatic());
    }

    @Test
    void anEmptyFolderGivesAnEmptyLayer() throws Exception {
        assertEquals("", PluginLayer.describe(PluginLayer.load(folder, ModuleLayer.boot())));
    }

    @Test
    void refusesAFolderThatIsNotThere() {
        Path missing = folder.resolve("missing");
        PluginException e = assertThrows(PluginException.class, () -> PluginLayer.load(missing, ModuleLayer.boot()));
        assertEquals("plugins folder " + missing + " does not exist or is not a folder", e.getMessage());
    }

    @Test
    void refusesAJarThatIsNotAJar() throws Exception {
        Files.writeString(folder.resolve("junk.jar"), "not a zip");
        assertEquals("plugins folder " + folder + ": junk.jar is not a jar (zip END header not found)", refusal());
    }

    @Test
    void refusesAFileThatIsNotAJar() throws Exception {
        Files.writeString(folder.resolve("README.txt"), "notes");
        assertEquals("plugins folder " + folder + ": README.txt is not a .jar; the folder holds only jars and exploded"
                + " modules (names starting with '.' are ignored)", refusal());
    }

    @Test
    void refusesAFolderThatIsNotAnExplodedModule() throws Exception {
        Files.createDirectory(folder.resolve("old"));
        assertEquals("plugins folder " + folder + ": old/ is a folder without module-info.class; the folder holds"
                + " only jars and exploded modules (names starting with '.' are ignored)", refusal());
    }

    @Test
    void refusesAModuleTheServerAlreadyHas() throws Exception {
        jar("copy.jar", Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nAutomatic-Module-Name: dev.starling.server\n"));
        assertEquals("plugins folder " + folder + ": copy.jar holds module dev.starling.server, which the server already has"
                + " on its module path; remove it from the folder (a plugin compiles against the Starling API, the server"
                + " supplies it)", refusal());
    }

    @Test
    void refusesOneModuleInTwoJars() throws Exception {
        jar("a.jar", Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nAutomatic-Module-Name: same\n"));
        jar("b.jar", Map.of("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nAutomatic-Module-Name: same\n"));
        assertEquals("plugins folder " + folder + ": module same is in both a.jar and b.jar; keep one", refusal());
    }

    @Test
    void refusesAServiceListingAClassTheJarDoesNotHold() throws Exception {
        jar("liar.jar", Map.of("META-INF/services/java.lang.Runnable", "liar.Missing\n"));
        String message = refusal();
        assertTrue(message.startsWith("plugins folder " + folder + ": liar.jar: "), message);
        assertTrue(message.contains("liar.Missing"), message);
    }

    @Test
    void refusesTwoModulesSharingAPackage() throws Exception {
        jar("one.jar", Map.of("shared/One.class", "never loaded"));
        jar("two.jar", Map.of("shared/Two.class", "never loaded"));
        String message = refusal();
        assertTrue(message.startsWith("plugins folder " + folder + ": cannot "), message);
        assertTrue(message.contains("shared"), message);
    }
}
