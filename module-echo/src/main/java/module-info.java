/**
 * The {@code echo} protocol: every byte received is sent back. A provider-only module: it
 * exports nothing and is found through {@code ServiceLoader}.
 *
 * @provides dev.starling.process.Process
 */
module dev.starling.echo {
    requires dev.starling.process;

    provides dev.starling.process.Process with dev.starling.echo.internal.EchoProcess;
}
