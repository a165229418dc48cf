package dev.starling.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The command line's error texts, exactly as an operator reads them. */
class ServerCommandTest {

    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void runsInTheNamedModule() {
        assertEquals("dev.starling.cli", getClass().getModule().getName());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--worker|0|server: --worker must be between 1 and 1024, was 0 (see server --help)",
            "--worker|2000|server: --worker must be between 1 and 1024, was 2000 (see server --help)",
            "--port|70000|server: --port must be between 0 and 65535, was 70000 (see server --help)",
            "--port|-1|server: --port must be between 0 and 65535, was -1 (see server --help)",
            "--timeout-ms|0|server: --timeout-ms must be between 1 and 3600000, was 0 (see server --help)",
            "--graceful-timeout|-5|server: --graceful-timeout must be between 0 and 86400, was -5 (see server --help)",
            "--max-request-line|63|server: --max-request-line must be between 64 and 1048576, was 63 (see server --help)",
            "--max-header-size|10|server: --max-header-size must be between 256 and 1048576, was 10 (see server --help)",
            "--max-body-size|-1|server: --max-body-size must be between 0 and 2147483647, was -1 (see server --help)",
            "--keepalive-timeout|0|server: --keepalive-timeout must be between 1 and 3600, was 0 (see server --help)",
            "--header-timeout|0|server: --header-timeout must be between 1 and 3600, was 0 (see server --help)",
            "--body-timeout|3601|server: --body-timeout must be between 1 and 3600, was 3601 (see server --help)",
            "--max-keepalive-reqs|0|server: --max-keepalive-reqs must be between 1 and 2147483647, was 0 (see server --help)",
            "--request-timeout|0|server: --request-timeout must be between 1 and 86400, was 0 (see server --help)",
            "--send-timeout|0|server: --send-timeout must be between 1 and 86400, was 0 (see server --help)",
            "--send-timeout|86401|server: --send-timeout must be between 1 and 86400, was 86401 (see server --help)",
            "--ws-max-message|0|server: --ws-max-message must be between 1 and 1073741824, was 0 (see server --help)",
            "--ws-idle-timeout|0|server: --ws-idle-timeout must be between 1 and 86400, was 0 (see server --help)",
            "--ws-endpoint|/chat=|server: --ws-endpoint must be NAME or PATH=NAME, was '/chat=' (see server --help)",
            "--ws-deflate|maybe|server: Invalid value for option '--ws-deflate': 'maybe' is not a boolean (see server --help)",
            "--port|http|server: Invalid value for option '--port': 'http' is not an int (see server --help)",
            "--worker|many|server: Invalid value for option '--worker': 'many' is not an int (see server --help)",
            "--socket-mode|999|server: --socket-mode must be octal permission bits between 000 and 777, e.g. 660, was '999' (see server --help)",
            "--socket-mode|rw|server: --socket-mode must be octal permission bits between 000 and 777, e.g. 660, was 'rw' (see server --help)",
    })
    void aBadValueGetsOneLineNamingTheFlagAndStatusTwo(String flag, String value, String message) {
        Run r = run(flag, value);
        assertEquals(2, r.status());
        assertEquals(message + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "localhost|no port",
            "::1:80|an IPv6 address needs brackets: [::1]:80",
            "ftp://127.0.0.1:21|unknown scheme 'ftp://'",
            "unix:@|the abstract socket name after '@' is empty",
    })
    void aBadListenSpecShowsTheAcceptedForms(String spec, String reason) {
        Run r = run("--listen", "127.0.0.1:0", "--listen", spec);
        assertEquals(2, r.status());
        assertEquals("server: --listen '" + spec + "': " + reason + "; accepted forms: HOST:PORT, [IPV6]:PORT, "
                + "unix:/path/to.sock, unix:@name, tls://HOST:PORT, udp://HOST:PORT (see server --help)" + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    private static dev.starling.server.ServerConfig configOf(String... args) {
        ServerCommand command = new ServerCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command.toConfig();
    }

    @Test
    void listenAloneReplacesHostAndPortAndGivenHostPortComesFirst() {
        assertEquals(java.util.List.of("unix:/tmp/a.sock", "udp://[::1]:53"),
                configOf("--listen", "unix:/tmp/a.sock", "--listen", "udp://[::1]:53").listen());
        assertEquals(java.util.List.of("127.0.0.1:9000", "unix:/tmp/a.sock"),
                configOf("--port", "9000", "--listen", "unix:/tmp/a.sock").listen());
        assertEquals(java.util.List.of(), configOf("--port", "9000").listen(), "no --listen: the host/port listener as before");
    }

    @Test
    void theRequestAndSendTimeoutsReachTheConfigurationWithTheirDefaults() {
        dev.starling.server.Pool defaults = configOf().pool();
        assertEquals(java.time.Duration.ofSeconds(300), defaults.requestTimeout());
        assertEquals(java.time.Duration.ofSeconds(60), defaults.sendTimeout());
        dev.starling.server.Pool given = configOf("--request-timeout", "30", "--send-timeout", "5").pool();
        assertEquals(java.time.Duration.ofSeconds(30), given.requestTimeout());
        assertEquals(java.time.Duration.ofSeconds(5), given.sendTimeout());
    }

    @Test
    void socketModeAndIpv6OnlyReachTheConfiguration() {
        dev.starling.server.ServerConfig config = configOf("--listen", "[::]:0", "--ipv6-only", "--socket-mode", "0660");
        assertTrue(config.ipv6Only());
        assertEquals(java.util.OptionalInt.of(0660), config.socketMode());
    }

    @Test
    void anUnknownFlagIsNamed() {
        Run r = run("--wroker=2");
        assertEquals(2, r.status());
        assertEquals("server: Unknown option: '--wroker=2'; did you mean --worker? (see server --help)" + System.lineSeparator(), r.err());
    }

    @Test
    void helpListsEveryFlag() {
        Run r = run("--help");
        assertEquals(0, r.status());
        for (String flag : new String[] {"--host", "--port", "--worker", "--timeout-ms", "--graceful-timeout", "--process",
                "--handler", "--max-request-line", "--max-header-size", "--max-body-size", "--keepalive-timeout", "--header-timeout", "--body-timeout", "--max-keepalive-reqs", "--request-timeout", "--send-timeout", "--access-log", "--pid-file", "--listen", "--socket-mode", "--ipv6-only", "--plugins", "--route", "--help", "--version"}) {
            assertTrue(r.out().contains(flag), flag + " missing from:\n" + r.out());
        }
    }

    @Test
    void versionPrintsTheBuild() {
        Run r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("starling "), r.out());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "api=hello", "/api/=hello", "/a//b=hello", "/a/../b=hello", "/a b=hello", "/api=", "/api", "/a?b=hello",
            "/api=a=b", "/a,b=hello",
    })
    void aMalformedRouteIsNamed(String route) {
        Run r = run("--route", route);
        assertEquals(2, r.status());
        assertEquals("server: --route must be /PATH=NAME, e.g. /api=hello, with PATH whole segments (no spaces, '?', '#',"
                + " ',', '=', '.' or '..' segments, no trailing '/'), was '" + route + "' (see server --help)"
                + System.lineSeparator(), r.err());
    }

    @Test
    void aRoutePrefixGivenTwiceIsNamed() {
        Run r = run("--route", "/a=x", "--route", "/a=y");
        assertEquals(2, r.status());
        assertEquals("server: --route /a is given twice (see server --help)" + System.lineSeparator(), r.err());
    }

    @Test
    void routesAndPluginsReachTheConfiguration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        ServerCommand command = new ServerCommand();
        new picocli.CommandLine(command).parseArgs("--route", "/api=hello", "--route", "/=welcome", "--plugins", dir.toString());
        dev.starling.server.ServerConfig config = command.toConfig();
        assertEquals("/api=hello,/=welcome", config.settings().get("route"));
        assertEquals(java.util.Optional.of(dir.toAbsolutePath()), config.plugins());
    }

    @Test
    void pluginsMustBeAFolder() {
        Run r = run("--plugins", "/no/such/folder");
        assertEquals(2, r.status());
        assertEquals("server: --plugins '/no/such/folder' is not a folder (see server --help)" + System.lineSeparator(), r.err());
    }

    @Test
    void tlsFlagsBecomeTransportSettingsWithAbsoluteFilePaths() {
        ServerCommand command = new ServerCommand();
        new picocli.CommandLine(command).parseArgs("--transport", "tls", "--tls-cert", "chain.pem", "--tls-key", "key.pem",
                "--tls-password-env", "VAR", "--tls-handshake-timeout", "3");
        dev.starling.server.ServerConfig config = command.toConfig();
        assertEquals("tls", config.transport());
        assertEquals(java.nio.file.Path.of("chain.pem").toAbsolutePath().toString(), config.settings().get("tls-cert"));
        assertEquals(java.nio.file.Path.of("key.pem").toAbsolutePath().toString(), config.settings().get("tls-key"));
        assertEquals("VAR", config.settings().get("tls-password-env"));
        assertEquals("3", config.settings().get("tls-handshake-timeout"));
    }

    @Test
    void aBadTlsHandshakeTimeoutNamesTheFlag() {
        Run r = run("--tls-handshake-timeout", "0");
        assertEquals(2, r.status());
        assertEquals("server: --tls-handshake-timeout must be between 1 and 3600, was 0 (see server --help)" + System.lineSeparator(),
                r.err());
    }

    @Test
    void helpListsTheTlsFlags() {
        Run r = run("--help");
        for (String flag : new String[] {"--transport", "--tls-cert", "--tls-key", "--tls-keystore", "--tls-password-file",
                "--tls-password-env", "--tls-handshake-timeout"}) {
            assertTrue(r.out().contains(flag), flag + " missing from:\n" + r.out());
        }
        assertTrue(r.out().contains("tcp, tls"), r.out());
    }
}
