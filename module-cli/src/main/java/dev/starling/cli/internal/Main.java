package dev.starling.cli.internal;

import java.io.PrintWriter;
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
            e.getCommandLine().getErr().println("server: " + e.getMessage() + " (see server --help)");
            return ServerCommand.EXIT_USAGE;
        });
        return cli.execute(args);
    }
}
