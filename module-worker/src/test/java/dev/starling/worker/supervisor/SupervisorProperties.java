package dev.starling.worker.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Signal storms, crashes and slow starts in any order: once they stop, the pool settles to its
 * slot count, all of one generation, nothing stray, and no HUP was lost.
 */
class SupervisorProperties {

    enum Step { HUP, TTIN, TTOU, READY, CRASH, FAIL_START, TICK }

    @Provide
    Arbitrary<List<Step>> storms() {
        return Arbitraries.of(Step.class).list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 300)
    void anyStormSettles(@ForAll("storms") List<Step> storm, @ForAll @IntRange(min = 1, max = 4) int workers,
                         @ForAll @IntRange(min = 0, max = 1000) int seed) {
        PolicyHarness h = new PolicyHarness(workers);
        h.readyAll();
        if (!h.logged("serving")) {
            return; // a start that failed has its own tests
        }
        java.util.Random random = new java.util.Random(seed);
        int lastHup = -1;
        for (Step step : storm) {
            switch (step) {
                case HUP -> {
                    h.signal("HUP");
                    lastHup = h.log.size();
                }
                case TTIN -> h.signal("TTIN");
                case TTOU -> h.signal("TTOU");
                case READY -> pick(h.starting(), random).ifPresent(h::ready);
                case CRASH -> pick(h.serving(), random).ifPresent(p -> h.exit(p, "exited with status 1"));
                case FAIL_START -> pick(h.starting(), random).ifPresent(p -> h.exit(p, "exited with status 78"));
                case TICK -> h.advance(Duration.ofMillis(random.nextInt(3000)));
            }
            assertAtMostTwoPerSlot(h);
            if (random.nextBoolean()) {
                h.reapStopped();
            }
        }
        // Quiet from now on: every start succeeds, every stop completes.
        for (int round = 0; round < 200 && !settled(h); round++) {
            h.readyAll();
            h.reapStopped();
            h.advance(Duration.ofSeconds(1));
        }
        assertTrue(settled(h), "settled: " + h.alive() + "\n" + h.logText());
        int generation = h.policy.generation();
        assertTrue(h.serving().stream().allMatch(p -> p.generation == generation), "one generation serves: " + h.alive());
        assertEquals(h.serving().size(), h.alive().size(), "no stray process: " + h.alive());
        Map<Integer, Long> perSlot = h.serving().stream().collect(Collectors.groupingBy(p -> p.slot, Collectors.counting()));
        assertTrue(perSlot.values().stream().allMatch(n -> n == 1), "one worker per slot: " + perSlot);
        if (lastHup >= 0) {
            List<String> after = h.log.subList(lastHup, h.log.size());
            assertTrue(after.stream().anyMatch(l -> l.contains("reload done") || l.contains("failed")),
                    "the last HUP was carried out, not lost:\n" + h.logText());
        }
        assertTrue(h.log.stream().noneMatch(l -> l.contains("SIGHUP ignored")), h.logText());
    }

    private static boolean settled(PolicyHarness h) {
        return h.policy.reloading() == 0 && h.starting().isEmpty()
                && h.alive().stream().noneMatch(p -> p.stopRequested || p.killed)
                && h.serving().size() == h.serving().stream().map(p -> p.slot).distinct().count()
                && !h.serving().isEmpty() && h.policy.backoffs().isEmpty()
                && h.serving().stream().allMatch(p -> p.generation == h.policy.generation());
    }

    private static void assertAtMostTwoPerSlot(PolicyHarness h) {
        Map<Integer, Long> perSlot = h.alive().stream().filter(p -> !p.stopRequested && !p.killed)
                .collect(Collectors.groupingBy(p -> p.slot, Collectors.counting()));
        assertTrue(perSlot.values().stream().allMatch(n -> n <= 2), "a slot has an active worker and at most one successor: "
                + h.alive());
    }

    private static java.util.Optional<PolicyHarness.Proc> pick(List<PolicyHarness.Proc> from, java.util.Random random) {
        return from.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(from.get(random.nextInt(from.size())));
    }
}
