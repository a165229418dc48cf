package dev.starling.cli.internal;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;

/** {@code server}: parses the flags and runs the server; the process exit status is the command's. */
public final class Main {

    /** One line per log record, with the time, the level and the message (which names the pid). */
    static final String LOG_FORMAT = "%1$tF %1$tT.%1$tL %4$s %5$s%6$s%n";

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given output streams; returns the exit status. */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        // Both back ends of System.Logger read a format property; workers inherit them.
        for (String property : new String[] {"java.util.logging.SimpleFormatter.format", "jdk.system.logger.format"}) {
            if (System.getProperty(property) == null) {
                System.setProperty(property, LOG_FORMAT);
            }
        }
        CommandLine cli = new CommandLine(new ServerCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, ignoredArgs) -> {
            // One line that names the flag; the usage help is one --help away.
            String hint = "";
            if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
                List<String> near = nearOptions(e.getCommandLine(), unmatched.getUnmatched());
                hint = near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?";
            }
            e.getCommandLine().getErr().println("server: " + e.getMessage() + hint + " (see server --help)");
            return ServerCommand.EXIT_USAGE;
        });
        return cli.execute(args);
    }

    /** Option names within two edits of an unknown flag, for a "did you mean" hint. */
    static List<String> nearOptions(CommandLine cli, List<String> unmatched) {
        return unmatched.stream()
                .filter(arg -> arg.startsWith("--"))
                .map(arg -> arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg)
                .flatMap(arg -> cli.getCommandSpec().optionsMap().keySet().stream()
                        .filter(name -> name.startsWith("--") && editDistance(arg, name) <= 2))
                .distinct()
                .sorted()
                .toList();
    }

    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
