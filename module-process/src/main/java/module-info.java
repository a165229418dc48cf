/**
 * The {@link dev.starling.process.Process} SPI: a protocol served over one connection or datagram, and the
 * {@link dev.starling.process.Connection} it is served over. Transports (module
 * {@code dev.starling.worker}) produce connections; protocols (HTTP/1.1, Echo, third-party
 * plugins) consume them. This module depends on nothing of ours.
 *
 * @uses dev.starling.process.Process
 */
module dev.starling.process {
    exports dev.starling.process;
}
