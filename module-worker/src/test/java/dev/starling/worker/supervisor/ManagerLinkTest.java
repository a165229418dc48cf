package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ManagerLinkTest {

    @Test
    void readsTheManagerPidAndSlotFromTheEnvironment() {
        ManagerLink link = ManagerLink.fromEnvironment(Map.of("STARLING_MANAGER_PID", "4242", "STARLING_WORKER_SLOT", "3")).orElseThrow();
        assertEquals(4242, link.managerPid());
        assertEquals(3, link.slot());
    }

    @Test
    void aProcessStartedByHandHasNoLink() {
        assertTrue(ManagerLink.fromEnvironment(Map.of()).isEmpty());
    }

    @Test
    void theManagerIsAliveWhileItIsTheParent() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertTrue(ManagerLink.fromEnvironment(Map.of("STARLING_MANAGER_PID", Long.toString(parent), "STARLING_WORKER_SLOT", "0"))
                .orElseThrow().managerAlive());
        assertTrue(!ManagerLink.fromEnvironment(Map.of("STARLING_MANAGER_PID", "1", "STARLING_WORKER_SLOT", "0"))
                .orElseThrow().managerAlive() || parent == 1);
    }

    @Test
    void describesDeathBySignalAndByExitStatus() {
        assertEquals("killed by signal 9 (SIGKILL)", WorkerProcess.describe(137));
        assertEquals("killed by signal 15 (SIGTERM)", WorkerProcess.describe(143));
        assertEquals("exited with status 78", WorkerProcess.describe(78));
        assertEquals("exited with status 0", WorkerProcess.describe(0));
    }
}
