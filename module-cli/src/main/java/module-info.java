/**
 * The {@code server} command: flags, validated into a {@link dev.starling.server.ServerConfig},
 * then a running server. Exports nothing; it is launched with
 * {@code java -m dev.starling.cli/dev.starling.cli.internal.Main}.
 */
module dev.starling.cli {
    requires dev.starling.server; // and, through it, dev.starling.worker for the scoreboard
    requires info.picocli;

    // picocli sets @Option fields reflectively; nothing else reads this package.
    opens dev.starling.cli.internal to info.picocli;
}
