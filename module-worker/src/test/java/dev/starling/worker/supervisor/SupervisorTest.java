package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The manager's policy over a fake clock: every decision without a JVM started or a signal sent. */
class SupervisorTest {

    private static PolicyHarness serving(int workers) {
        PolicyHarness h = new PolicyHarness(workers);
        h.readyAll();
        assertTrue(h.logged("serving http1 on test with " + workers + " worker(s)"), h.logText());
        return h;
    }

    @Test
    void startsOneWorkerPerSlotAndServesOnceAllAccept() {
        PolicyHarness h = new PolicyHarness(3);
        assertEquals(3, h.starting().size());
        h.ready(h.starting().get(0));
        assertFalse(h.logged("serving"), "not before every worker accepts");
        h.readyAll();
        assertTrue(h.logged("INFO serving http1 on test with 3 worker(s), pids 1001, 1002, 1003"), h.logText());
    }

    @Test
    void aWorkerDyingBeforeTheFirstReadyFailsTheStart() {
        PolicyHarness h = new PolicyHarness(2);
        h.ready(h.starting().get(0));
        h.exit(h.starting().get(0), "exited with status 78");
        assertTrue(h.logged("ERROR worker pid 1002 (slot 1, generation 1) exited with status 78 before it was ready; stopping"), h.logText());
        assertTrue(h.procs.get(1L).killed, "the other worker is killed");
        h.reapStopped();
        assertTrue(h.policy.finished(h.now));
        assertEquals(Manager.EXIT_START_FAILED, h.policy.exitStatus());
    }

    @Test
    void theStartFailsWhenWorkersDoNotAcceptWithinTheReadyTimeout() {
        PolicyHarness h = new PolicyHarness(1);
        h.advance(Duration.ofSeconds(61));
        assertTrue(h.logged("workers did not become ready within 60 s; stopping"), h.logText());
        assertTrue(h.policy.finished(h.now) || h.procs.get(1L).killed);
    }

    @Test
    void aHupDuringAReloadIsQueuedAndRunsWhenTheReloadEnds() {
        PolicyHarness h = serving(2);
        h.signal("HUP");
        assertEquals(2, h.starting().size(), "generation 2 starts");
        h.signal("HUP");
        h.signal("HUP");
        h.signal("HUP");
        assertFalse(h.logged("ignored"), h.logText());
        assertEquals(2, h.starting().size(), "a queued reload waits for the current one");
        h.readyAll();
        assertTrue(h.logged("reload done; generation 2"), h.logText());
        assertTrue(h.logged("starting the queued reload"), h.logText());
        h.reapStopped();
        assertEquals(2, h.starting().size(), "generation 3 starts right after: " + h.alive());
        assertTrue(h.starting().stream().allMatch(p -> p.generation == 3));
        h.readyAll();
        h.reapStopped();
        h.assertServing(2, 3);
        assertTrue(h.logged("reload done; generation 3"), h.logText());
        assertEquals(0, h.policy.reloading());
        assertFalse(h.logged("generation 4"), "three HUPs during one reload coalesce into one: " + h.logText());
    }

    @Test
    void aReloadSwapsTheWholeGenerationAtOnce() {
        PolicyHarness h = serving(3);
        h.signal("HUP");
        List<PolicyHarness.Proc> next = h.starting();
        h.ready(next.get(0));
        h.ready(next.get(1));
        assertTrue(h.procs.values().stream().filter(p -> p.generation == 1).noneMatch(p -> p.stopRequested),
                "no old worker stops before the whole new generation accepts");
        h.ready(next.get(2));
        assertTrue(h.procs.values().stream().filter(p -> p.generation == 1).allMatch(p -> p.stopRequested));
        h.reapStopped();
        h.assertServing(3, 2);
    }

    @Test
    void aFailedReloadKeepsTheOldGenerationAndStartsTheQueuedOne() {
        PolicyHarness h = serving(2);
        h.signal("HUP");
        h.signal("HUP");
        PolicyHarness.Proc broken = h.starting().get(0);
        h.exit(broken, "exited with status 1");
        assertTrue(h.logged("ERROR reload to generation 2 failed: worker pid " + broken.pid
                + " (slot 0, generation 2) exited with status 1 before it was ready; the workers serving now keep serving"), h.logText());
        assertTrue(h.logged("starting the queued reload"), h.logText());
        h.reapStopped();
        assertEquals(2, h.serving().stream().filter(p -> p.generation == 1).count(), "generation 1 keeps serving");
        h.readyAll();
        h.reapStopped();
        h.assertServing(2, 2);
    }

    @Test
    void scalingDuringAReloadNeitherWedgesNorFakesIt() {
        PolicyHarness h = serving(2);
        h.signal("HUP");
        h.signal("TTIN");
        PolicyHarness.Proc added = h.starting().getLast();
        assertEquals(2, added.generation, "an added slot starts the new code");
        h.signal("TTOU");
        assertTrue(added.stopRequested, "the newest slot goes, its worker not yet ready");
        h.readyAll();
        assertTrue(h.logged("reload done; generation 2"), "the reload ends after the TTOU: " + h.logText());
        h.reapStopped();
        h.assertServing(2, 2);
        h.signal("HUP");
        h.readyAll();
        assertTrue(h.logged("reload done; generation 3"), h.logText());
    }

    @Test
    void aTtouThatRemovesTheLastUnreadySlotFinishesTheReload() {
        PolicyHarness h = serving(2);
        h.signal("HUP");
        h.signal("TTIN");
        List<PolicyHarness.Proc> next = h.starting();
        h.ready(next.get(0));
        h.ready(next.get(1));
        assertFalse(h.logged("reload done"), "the added slot's worker is not ready yet");
        h.signal("TTOU");
        assertTrue(h.logged("reload done; generation 2"), h.logText());
    }

    @Test
    void aCrashLoopBacksOffExponentiallyUpToAMinute() {
        PolicyHarness h = serving(1);
        h.advance(Duration.ofSeconds(11)); // served long enough: the first crash restarts at once
        long[] expected = {0, 1, 2, 4, 8, 16, 32, 60, 60};
        for (long seconds : expected) {
            PolicyHarness.Proc current = h.alive().getFirst();
            h.exit(current, "exited with status 1");
            if (seconds == 0) {
                assertEquals(1, h.starting().size(), "restarted at once");
            } else {
                assertTrue(h.logged("restarting in " + seconds + " s"), "waits " + seconds + " s: " + h.logText());
                assertEquals(1, h.policy.backoffs().size(), "the back-off is visible");
                h.advance(Duration.ofSeconds(seconds).minusMillis(10));
                assertTrue(h.starting().isEmpty(), "nothing starts before " + seconds + " s");
                h.advance(Duration.ofMillis(20));
                assertEquals(1, h.starting().size(), "a worker starts after " + seconds + " s");
            }
            h.ready(h.starting().getFirst());
        }
        h.advance(Supervisor.STABLE_AFTER.plusSeconds(1));
        h.exit(h.alive().getFirst(), "exited with status 1");
        assertEquals(1, h.starting().size(), "a worker that served a while resets the back-off");
    }

    @Test
    void aWorkerWhoseHeartbeatStopsIsDumpedKilledAndReplaced() {
        PolicyHarness h = serving(2);
        PolicyHarness.Proc hung = h.serving().getFirst();
        hung.idle = false;
        hung.sinceHeartbeat = Duration.ofSeconds(31);
        h.advance(Duration.ofMillis(300));
        assertTrue(hung.dumped, "SIGQUIT first, for a thread dump");
        assertFalse(hung.killed, "not killed before the dump had time");
        assertTrue(h.logged("worker pid " + hung.pid + " (slot 0, generation 1): heartbeat stopped 31 s ago (--worker-timeout 30 s) "
                + "with 1 request(s) in flight (oldest: GET /slow); thread dump requested with SIGQUIT"), h.logText());
        assertEquals(1, h.starting().size(), "its replacement starts at once");
        h.advance(Supervisor.DUMP_GRACE);
        assertTrue(hung.killed, "SIGKILL after the dump's grace");
        h.reapStopped();
        h.readyAll();
        h.assertServing(2, 1);
    }

    @Test
    void aLongRequestAloneNeverKillsAWorker() {
        PolicyHarness h = serving(1);
        PolicyHarness.Proc busy = h.serving().getFirst();
        busy.idle = false; // inside one request for an hour, heartbeating all along
        h.advance(Duration.ofHours(1));
        assertFalse(busy.dumped || busy.killed || busy.stopRequested, h.logText());
    }

    @Test
    void aWorkerThatNeverAcceptsIsDumpedKilledAndRetried() {
        PolicyHarness h = serving(1);
        h.signal("TTIN");
        PolicyHarness.Proc stuck = h.starting().getFirst();
        h.advance(Duration.ofSeconds(61));
        assertTrue(stuck.dumped, h.logText());
        assertTrue(h.logged("did not accept within 60 s"), h.logText());
        h.advance(Supervisor.DUMP_GRACE);
        assertTrue(stuck.killed);
        assertFalse(h.starting().isEmpty(), "the slot gets another worker");
    }

    @Test
    void aRetiringWorkerIsReplacedOnlyOnceItsSuccessorAccepts() {
        PolicyHarness h = serving(1);
        PolicyHarness.Proc old = h.serving().getFirst();
        h.apply(h.policy.retiring(old.id, h.now));
        h.advance(Duration.ofMillis(10));
        PolicyHarness.Proc successor = h.starting().getFirst();
        assertFalse(old.stopRequested);
        h.ready(successor);
        assertTrue(old.stopRequested);
        assertTrue(h.logged(" took over from worker pid " + old.pid), h.logText());
    }

    @Test
    void aPacedReloadReplacesOneSlotAtATime() {
        PolicyHarness h = new PolicyHarness(3, Duration.ofSeconds(2), Optional.empty());
        for (int i = 0; i < 3; i++) {
            h.readyAll();
            h.advance(Duration.ofSeconds(2));
        }
        h.signal("HUP");
        for (int i = 0; i < 3; i++) {
            h.advance(Duration.ofSeconds(2));
            assertEquals(1, h.starting().size(), "one successor at a time: " + h.alive());
            h.readyAll();
            h.reapStopped();
        }
        assertTrue(h.logged("reload done; generation 2"), h.logText());
        h.assertServing(3, 2);
    }

    @Test
    void termClosesTheListenersDrainsEveryWorkerAndKillsLaggards() {
        PolicyHarness h = serving(2);
        h.signal("HUP");
        h.signal("TERM");
        assertEquals(1, h.listenersClosed);
        assertTrue(h.alive().stream().allMatch(p -> p.stopRequested), "old and new generation drain: " + h.alive());
        h.signal("HUP");
        assertTrue(h.starting().isEmpty(), "no reload while stopping");
        h.advance(Duration.ofSeconds(30).plus(Supervisor.STOP_MARGIN).plusMillis(10));
        assertTrue(h.alive().stream().allMatch(p -> p.killed), "killed after the graceful timeout and margin");
        h.reapStopped();
        assertTrue(h.policy.finished(h.now));
        assertEquals(0, h.policy.exitStatus());
    }

    @Test
    void aSecondIntKillsAtOnce() {
        PolicyHarness h = serving(2);
        h.signal("INT");
        assertFalse(h.alive().stream().anyMatch(p -> p.killed));
        h.signal("INT");
        assertTrue(h.alive().stream().allMatch(p -> p.killed));
    }

    @Test
    void theAdaptivePoolAddsAndRemovesOneWorkerPerSecond() {
        PolicyHarness h = new PolicyHarness(2, Duration.ZERO, Optional.of(new Spares(1, 2, 4)));
        h.readyAll();
        h.serving().forEach(p -> p.idle = false);
        h.advance(Duration.ofMillis(1100));
        assertEquals(1, h.starting().size(), "fewer idle than --min-spare: one more");
        h.readyAll();
        h.procs.values().forEach(p -> p.idle = true);
        h.advance(Duration.ofMillis(1100));
        assertEquals(1, h.procs.values().stream().filter(p -> p.stopRequested).count(), "more idle than --max-spare: one fewer");
    }

    @Test
    void logLinesCarryNumbersWithoutGrouping() {
        PolicyHarness h = new PolicyHarness(1);
        h.readyAll();
        // Pids above 999 would read "1,001" if formatted with the locale.
        assertTrue(h.log.stream().noneMatch(l -> l.matches(".*\\d,\\d{3}.*")), h.logText());
    }
}
