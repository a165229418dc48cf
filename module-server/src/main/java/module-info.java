/**
 * Orchestration: the {@link dev.starling.server.ServerConfig}, the choice of transport and
 * protocol providers by name, the manager's start-up checks, and the worker-process entry
 * point. It never requires module-http or module-echo: it finds them through
 * {@code ServiceLoader}, exactly as it finds a third party's plugin.
 *
 * @uses dev.starling.process.Process
 * @uses dev.starling.worker.Worker
 * @uses dev.starling.worker.DatagramWorker
 */
module dev.starling.server {
    requires transitive dev.starling.worker;
    requires transitive dev.starling.process;

    exports dev.starling.server;

    uses dev.starling.process.Process;
    uses dev.starling.worker.Worker;
    uses dev.starling.worker.DatagramWorker;
}
