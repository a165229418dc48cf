package dev.starling.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --plugins DIR}: what loads (modular jars, plain jars with META-INF/services, modules
 * that require each other, routes), and what stops the start, or a reload, with a message that
 * names the jar, the module and what is missing.
 */
class PluginFolderTest {

    @TempDir
    static Path jars;

    /** Module {@code test.lib}: exports test.lib.Greetings, provides nothing. */
    static Path lib;
    /** Module {@code test.needy}: handler {@code needy}, requires test.lib. */
    static Path needy;
    /** Modules {@code test.twina} and {@code test.twinb}: each a handler named {@code twin}. */
    static Path twinA;
    static Path twinB;
    /** Module {@code test.bad}: a handler whose constructor throws. */
    static Path bad;
    /** Module {@code test.sql}: handler {@code sql}, requires the JDK module java.sql, which the server does not load. */
    static Path sql;
    /** Module {@code test.shout}: a protocol named {@code shout} that answers each read upper-cased; needs only the Process API. */
    static Path shout;
    /** A plain jar (automatic module {@code plain.greeter}) whose META-INF/services lists handler {@code plain}. */
    static Path plain;

    @RegisterExtension
    final Servers servers = new Servers();

    @BeforeAll
    static void compilePlugins() throws Exception {
        lib = HandlerModules.jar(jars, "lib", Map.of(
                "module-info.java", "module test.lib { exports test.lib; }",
                "test/lib/Greetings.java", "package test.lib; public final class Greetings {"
                        + " public static String hi(String who) { return \"hi \" + who; } }"));
        needy = HandlerModules.jar(jars, "needy", Map.of(
                "module-info.java", "module test.needy { requires dev.starling.http; requires test.lib;"
                        + " provides dev.starling.http.Handler with test.needy.NeedyHandler; }",
                "test/needy/NeedyHandler.java", handler("test.needy", "NeedyHandler", "needy",
                        "test.lib.Greetings.hi(request.path())", "")), List.of(lib));
        twinA = twin("a");
        twinB = twin("b");
        bad = HandlerModules.jar(jars, "bad", Map.of(
                "module-info.java", "module test.bad { requires dev.starling.http;"
                        + " provides dev.starling.http.Handler with test.bad.BadHandler; }",
                "test/bad/BadHandler.java", handler("test.bad", "BadHandler", "bad", "\"never\"",
                        "public BadHandler() { throw new IllegalStateException(\"no database configured\"); }")));
        sql = HandlerModules.jar(jars, "sql", Map.of(
                "module-info.java", "module test.sql { requires dev.starling.http; requires java.sql;"
                        + " provides dev.starling.http.Handler with test.sql.SqlHandler; }",
                "test/sql/SqlHandler.java", handler("test.sql", "SqlHandler", "sql", "java.sql.Types.class.getName()", "")));
        shout = HandlerModules.jar(jars, "shout", Map.of(
                "module-info.java", "module test.shout { requires dev.starling.process;"
                        + " provides dev.starling.process.Process with test.shout.ShoutProcess; }",
                "test/shout/ShoutProcess.java", """
                        package test.shout;

                        import dev.starling.process.Process;
                        import dev.starling.process.ProcessContext;
                        import dev.starling.process.StreamService;
                        import java.nio.ByteBuffer;
                        import java.nio.charset.StandardCharsets;

                        public final class ShoutProcess implements Process {
                            @Override public String name() { return "shout"; }

                            @Override public StreamService prepare(ProcessContext context) {
                                return connection -> {
                                    ByteBuffer in = ByteBuffer.allocate(1024);
                                    while (connection.read(in.clear()) > 0) {
                                        String text = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8);
                                        connection.write(ByteBuffer.wrap(text.toUpperCase().getBytes(StandardCharsets.UTF_8)));
                                    }
                                };
                            }
                        }
                        """));
        plain = HandlerModules.jar(jars, "plain-greeter-1.2", Map.of(
                "test/plain/PlainHandler.java", handler("test.plain", "PlainHandler", "plain", "\"plain \" + request.path()", ""),
                "META-INF/services/dev.starling.http.Handler", "test.plain.PlainHandler\n"));
    }

    private static Path twin(String which) throws Exception {
        return HandlerModules.jar(jars, "twin-" + which, Map.of(
                "module-info.java", "module test.twin" + which + " { requires dev.starling.http;"
                        + " provides dev.starling.http.Handler with test.twin" + which + ".TwinHandler; }",
                "test/twin" + which + "/TwinHandler.java", handler("test.twin" + which, "TwinHandler", "twin", "\"twin\"", "")));
    }

    /** A handler class called {@code name} that answers {@code body} (a Java expression over {@code request}). */
    private static String handler(String pkg, String cls, String name, String body, String constructor) {
        return """
                package %s;

                import dev.starling.http.Handler;
                import dev.starling.http.Request;
                import dev.starling.http.Response;

                public final class %s implements Handler {
                    %s
                    @Override public String name() { return "%s"; }
                    @Override public Response handle(Request request) { return Response.ok(%s + "\\n"); }
                }
                """.formatted(pkg, cls, constructor, name, body);
    }

    private static Path folder(Path dir, Path... plugins) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("plugins"));
        for (Path plugin : plugins) {
            Files.copy(plugin, folder.resolve(plugin.getFileName()));
        }
        return folder;
    }

    /** Starts the server, expects it to refuse, and returns its one line of output. */
    private String refused(Path folder, String... flags) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("--plugins", folder.toString(), "--port", "0", "--worker", "2"));
        all.addAll(List.of(flags));
        ServerProcess server = servers.launch(all.toArray(String[]::new));
        assertEquals(1, server.awaitExit(Duration.ofSeconds(30)), server.output());
        assertTrue(server.liveWorkerPids().isEmpty(), "no worker was started");
        return server.output();
    }

    @Test
    void servesPluginsThatRequireEachOtherAPlainJarAnExplodedModuleAndRoutesBetweenThem(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, needy, plain);
        // test.lib as an exploded module: the classes folder javac wrote, module-info.class included.
        try (var files = Files.walk(jars.resolve("lib-classes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve("lib").resolve(jars.resolve("lib-classes").relativize(file).toString()));
            }
        }
        ServerProcess server = servers.start(List.of(), "--plugins", folder.toString(), "--port", "0", "--worker", "1",
                "--timeout-ms", "500", "--route", "/n=needy", "--route", "/p=plain", "--route", "/p/w=welcome");
        assertEquals("hi /x\n", HttpExchange.get(server.port(), "/n/x").body());
        assertEquals("plain /\n", HttpExchange.get(server.port(), "/p").body());
        assertTrue(HttpExchange.get(server.port(), "/p/w/any").body().contains("Starling"), "the longest prefix wins");
        assertEquals(404, HttpExchange.get(server.port(), "/other").status(), "no --handler: other paths are not found");
        assertTrue(server.output().contains("plugins from " + folder + ": plain.greeter (plain-greeter-1.2.jar),"
                + " test.lib (lib), test.needy (needy.jar)"), server.output());
    }

    @Test
    void aPluginMayBringAProtocol(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, shout);
        ServerProcess server = servers.start(List.of(), "--plugins", folder.toString(), "--process", "shout",
                "--port", "0", "--worker", "1", "--timeout-ms", "500");
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals("HELLO\n", new String(socket.getInputStream().readNBytes(6), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals("server: no protocol named 'whisper'; available: echo, http1, shout, websocket (--process)\n",
                refused(folder, "--process", "whisper"));
    }

    @Test
    void refusesAPluginWhoseRequiredModuleIsMissing(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, needy);
        assertEquals("server: plugins folder " + folder + ": module test.needy (needy.jar) requires test.lib, which is"
                + " neither in the folder nor on the server's module path; add its jar to the folder (--plugins)\n",
                refused(folder, "--handler", "needy"));
    }

    @Test
    void aPluginThatRequiresAJdkModuleSaysHowToAddItAndThenServes(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, sql);
        assertEquals("server: plugins folder " + folder + ": module test.sql (sql.jar) requires java.sql, a JDK module the"
                + " server's JVMs do not load; add '--add-modules java.sql' to STARLING_MANAGER_OPTS and STARLING_WORKER_OPTS"
                + " (--plugins)\n", refused(folder, "--handler", "sql"));
        ServerProcess server = servers.launch(List.of(ServerProcess.bin().resolve("server").toString(), "--plugins",
                folder.toString(), "--handler", "sql", "--port", "0", "--worker", "1", "--timeout-ms", "500"),
                Map.of("STARLING_MANAGER_OPTS", "--add-modules java.sql", "STARLING_WORKER_OPTS", "--add-modules java.sql"));
        server.awaitServing(Duration.ofSeconds(60));
        assertEquals("java.sql.Types\n", HttpExchange.get(server.port(), "/").body());
        assertTrue(!server.output().contains("[aot]"), "workers started without the AOT cache, quietly:\n" + server.output());
    }

    @Test
    void refusesTwoHandlersClaimingOneNameNamingBothJars(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, twinA, twinB);
        assertEquals("server: handlers test.twina.TwinHandler (module test.twina, " + folder.resolve("twin-a.jar")
                + "), test.twinb.TwinHandler (module test.twinb, " + folder.resolve("twin-b.jar")
                + ") all claim the name 'twin' (--handler)\n", refused(folder, "--handler", "twin"));
    }

    @Test
    void refusesOneModuleInTwoJars(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, twinA);
        Files.copy(twinA, folder.resolve("twin-a-copy.jar"));
        assertEquals("server: plugins folder " + folder + ": module test.twina is in both twin-a-copy.jar and twin-a.jar;"
                + " keep one (--plugins)\n", refused(folder, "--handler", "twin"));
    }

    @Test
    void refusesAHandlerWhoseConstructorThrows(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, bad);
        String out = refused(folder, "--handler", "welcome");
        assertTrue(out.startsWith("server: handler test.bad.BadHandler (module test.bad, " + folder.resolve("bad.jar")
                + ") could not be created: java.lang.IllegalStateException: no database configured"
                + " (at test.bad/test.bad.BadHandler.<init>(BadHandler.java:"), out);
    }

    @Test
    void refusesAJarThatIsNotAJar(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, plain);
        Files.writeString(folder.resolve("notes.jar"), "these are notes, not a jar\n");
        assertEquals("server: plugins folder " + folder + ": notes.jar is not a jar (zip END header not found) (--plugins)\n",
                refused(folder, "--handler", "plain"));
    }

    @Test
    void refusesAnUnknownHandlerListingThePluginsOnes(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, plain);
        assertEquals("server: no handler named 'nope'; available: plain, welcome (--handler)\n", refused(folder, "--handler", "nope"));
    }

    @Test
    void aReloadWithAPluginThatCannotLoadKeepsTheOldGenerationAndSaysWhy(@TempDir Path dir) throws Exception {
        Path folder = folder(dir, plain);
        ServerProcess server = servers.start(List.of(), "--plugins", folder.toString(), "--handler", "plain",
                "--port", "0", "--worker", "2", "--timeout-ms", "500");
        List<Long> serving = server.workerPids();
        Files.copy(needy, folder.resolve("needy.jar")); // without the test.lib it requires
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(30), () -> server.output().contains("reload to generation 2 failed"),
                "the reload to fail");
        assertTrue(server.output().matches("(?s).*starling: worker pid \\d+ cannot start: plugins folder "
                + java.util.regex.Pattern.quote(folder.toString()) + ": module test.needy \\(needy.jar\\) requires test.lib,"
                + " which is neither in the folder nor on the server's module path; add its jar to the folder\n.*"), server.output());
        ServerProcess.await(Duration.ofSeconds(10), () -> server.workerPids().equals(serving),
                "the failed successors to be gone and the old generation " + serving + " to serve alone");
        assertEquals("plain /x\n", HttpExchange.get(server.port(), "/x").body());

        // With what it requires in place, the next reload (again to generation 2: the failed one left no trace) loads it.
        Files.copy(lib, folder.resolve("lib.jar"));
        ServerProcess.signal(server.pid(), "HUP");
        server.awaitLogged(Duration.ofSeconds(30), () -> server.output().contains("reload done; generation 2"), "the second reload");
        assertEquals("plain /y\n", HttpExchange.get(server.port(), "/y").body());
    }
}
