package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds {@code examples/hello-plugin}, a standalone Maven project, as its user would: with
 * Maven, against the API artifacts ({@code starling-process}, {@code starling-http} and their
 * parent pom) of this build.
 *
 * <p>The API artifacts go into a private local repository under {@code module-it/target}, so
 * the build never writes into the shared {@code ~/.m2}. Everything else the example needs
 * (Maven plugins, JUnit) is what this build used already: the private repository reaches the
 * build's own local repository through a {@code file:} mirror, which offline mode allows with
 * {@code aether.offline.protocols=file}. No network is used.
 */
final class ExamplePluginBuild {

    private ExamplePluginBuild() {
    }

    /** The example's sources in this checkout. */
    static Path sources() {
        return ServerProcess.bin().resolveSibling("examples").resolve("hello-plugin");
    }

    /** Copies the example to {@code dir}, builds it with its own tests, and returns its jar. */
    static Path build(Path dir) throws IOException, InterruptedException {
        checkVersion();
        Path project = dir.resolve("hello-plugin");
        copyTree(sources(), project);
        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, """
                <settings>
                  <localRepository>%s</localRepository>
                  <mirrors>
                    <mirror><id>starling-build</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
                  </mirrors>
                </settings>
                """.formatted(privateRepository(), Path.of(property("starling.m2")).toUri()));
        HandlerModules.run(List.of(Path.of(property("maven.home"), "bin", "mvn").toString(), "-o", "-q", "-B",
                "-s", settings.toString(), "-Daether.offline.protocols=file", "-f", project.resolve("pom.xml").toString(),
                "package"), Map.of("JAVA_HOME", System.getProperty("java.home")), 300);
        Path jar = project.resolve("target/hello-plugin.jar");
        assertTrue(Files.isRegularFile(jar), "the example's build made " + jar);
        return jar;
    }

    /**
     * The example's main sources with {@code from} replaced by {@code to} in HelloHandler.java,
     * compiled into {@code dir}/NAME.jar: the "next version" of the plugin.
     */
    static Path variant(Path dir, String name, String from, String to) throws IOException, InterruptedException {
        Path main = sources().resolve("src/main/java");
        Map<String, String> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.walk(main)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file);
                if (file.endsWith("HelloHandler.java")) {
                    assertTrue(text.contains(from), "HelloHandler.java contains " + from);
                    text = text.replace(from, to);
                }
                files.put(main.relativize(file).toString(), text);
            }
        }
        return HandlerModules.jar(dir, name, files);
    }

    /** The example names the API version of this build (it must be updated with each release). */
    private static void checkVersion() throws IOException {
        Matcher m = Pattern.compile("<starling.version>([^<]+)</starling.version>")
                .matcher(Files.readString(sources().resolve("pom.xml")));
        assertTrue(m.find(), "examples/hello-plugin/pom.xml has a starling.version property");
        assertEquals(property("starling.version"), m.group(1), "the example's starling.version is this build's version");
    }

    /** A local repository holding the API artifacts of this build, as {@code mvn install} would lay them out. */
    private static Path privateRepository() throws IOException {
        Path repository = Path.of(property("starling.it.target"), "plugin-api-repository");
        String version = property("starling.version");
        Path root = ServerProcess.bin().getParent();
        install(repository, "starling-parent", version, root.resolve("pom.xml"), null);
        for (String module : List.of("process", "http")) {
            String artifact = "starling-" + module;
            install(repository, artifact, version, root.resolve("module-" + module).resolve("pom.xml"),
                    ServerProcess.lib().resolve(artifact + "-" + version + ".jar"));
        }
        return repository;
    }

    private static void install(Path repository, String artifact, String version, Path pom, Path jar) throws IOException {
        Path folder = repository.resolve("dev/starling").resolve(artifact).resolve(version);
        Files.createDirectories(folder);
        Files.copy(pom, folder.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            Files.copy(jar, folder.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path source : all.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + name + " is not set (run through Maven)");
        }
        return value;
    }
}
