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
            "--ws-max-message|0|server: --ws-max-message must be between 1 and 1073741824, was 0 (see server --help)",
            "--ws-idle-timeout|0|server: --ws-idle-timeout must be between 1 and 86400, was 0 (see server --help)",
            "--ws-endpoint|/chat=|server: --ws-endpoint must be NAME or PATH=NAME, was '/chat=' (see server --help)",
            "--ws-deflate|maybe|server: Invalid value for option '--ws-deflate': 'maybe' is not a boolean (see server --help)",
            "--port|http|server: Invalid value for option '--port': 'http' is not an int (see server --help)",
            "--worker|many|server: Invalid value for option '--worker': 'many' is not an int (see server --help)",
    })
    void aBadValueGetsOneLineNamingTheFlagAndStatusTwo(String flag, String value, String message) {
        Run r = run(flag, value);
        assertEquals(2, r.status());
        assertEquals(message + System.lineSeparator(), r.err());
        assertEquals("", r.out());
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
                "--handler", "--max-request-line", "--max-header-size", "--max-body-size", "--keepalive-timeout", "--header-timeout", "--body-timeout", "--max-keepalive-reqs", "--access-log", "--pid-file", "--help", "--version"}) {
            assertTrue(r.out().contains(flag), flag + " missing from:\n" + r.out());
        }
    }

    @Test
    void versionPrintsTheBuild() {
        Run r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("starling "), r.out());
    }
}
