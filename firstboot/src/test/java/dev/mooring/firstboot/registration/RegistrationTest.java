package dev.mooring.firstboot.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mooring.firstboot.testing.TestHub;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The registration client against a local HTTP hub: retries, backoff bounds, idempotent re-registration. */
class RegistrationTest {

    static final RegistrationRequest REQUEST = new RegistrationRequest("0123456789abcdef0123456789abcdef", "edge-1", "worker",
            List.of("198.51.100.11"), "0.1.0-test", Optional.empty());

    /** A clock that only moves when the registrar sleeps: the test sees the delays it asked for. */
    static final class FakeTime extends Clock {
        Instant now = Instant.parse("2026-11-27T08:00:00Z");
        final List<Duration> slept = new ArrayList<>();

        void sleep(Duration d) {
            slept.add(d);
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void retriesThrough503AndRegisters() throws Exception {
        try (TestHub hub = new TestHub(3)) {
            FakeTime time = new FakeTime();
            Registrar registrar = new Registrar(Backoff.DEFAULT, time, time::sleep, () -> 0.0, line -> { });
            HubClient client = new HubClient(hub.url(), TestHub.TOKEN, Optional.empty(), Duration.ofSeconds(5));
            Registrar.Outcome outcome = registrar.register(() -> client.register(REQUEST));
            assertThat(outcome).isInstanceOf(Registrar.Outcome.Registered.class);
            assertThat(outcome.attempts()).isEqualTo(4);
            // random 0: the lower bound, half of each ceiling 500, 1000, 2000 ms.
            assertThat(time.slept).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofMillis(1000));
            HubAnswer answer = ((Registrar.Outcome.Registered) outcome).answer();
            assertThat(answer.hostId()).isEqualTo("h-1");
            assertThat(answer.created()).isTrue();
            assertThat(answer.cluster().key()).isEqualTo(TestHub.KEY);
            assertThat(hub.requests()).hasSize(4).allMatch(r -> r.path("machineId").asText().equals(REQUEST.machineId())
                    && r.path("addresses").get(0).asText().equals("198.51.100.11") && !r.has("overlayAddress"));
        }
    }

    @Test
    void connectionRefusedIsRetriedUntilTheBoundThenPending() throws Exception {
        int port;
        try (TestHub probe = new TestHub(0)) {
            port = probe.url().getPort();
        }
        FakeTime time = new FakeTime();
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(8), 2.0, Duration.ofSeconds(20));
        Registrar registrar = new Registrar(backoff, time, time::sleep, () -> 0.999, line -> { });
        HubClient client = new HubClient(URI.create("http://127.0.0.1:" + port), TestHub.TOKEN, Optional.empty(), Duration.ofSeconds(2));
        Registrar.Outcome outcome = registrar.register(() -> client.register(REQUEST));
        assertThat(outcome).isInstanceOf(Registrar.Outcome.Pending.class);
        assertThat(((Registrar.Outcome.Pending) outcome).lastError()).contains("ConnectException");
        Duration total = time.slept.stream().reduce(Duration.ZERO, Duration::plus);
        assertThat(total).isLessThanOrEqualTo(Duration.ofSeconds(20));
        // Near the ceilings 500, 1000, 2000, 4000, 8000 (jitter 0.999): 15.5 s in all; the next 8 s would pass 20 s.
        assertThat(time.slept).hasSize(5);
        assertThat(outcome.attempts()).isEqualTo(6);
    }

    @Test
    void theSameMachineIdRegistersAgainWithTheSameHostAndAddressAndANewKey() throws Exception {
        try (TestHub hub = new TestHub(0)) {
            HubClient client = new HubClient(hub.url(), TestHub.TOKEN, Optional.empty(), Duration.ofSeconds(5));
            HubAnswer first = client.register(REQUEST);
            HubAnswer again = client.register(REQUEST);
            assertThat(first.created()).isTrue();
            assertThat(again.created()).isFalse();
            assertThat(again.hostId()).isEqualTo(first.hostId());
            assertThat(again.address()).isEqualTo(first.address());
            assertThat(again.apiKey()).isNotEqualTo(first.apiKey());
        }
    }

    @Test
    void aWrongTokenIsRefusedWithoutRetrying() throws Exception {
        try (TestHub hub = new TestHub(0)) {
            FakeTime time = new FakeTime();
            Registrar registrar = new Registrar(Backoff.DEFAULT, time, time::sleep, () -> 0.5, line -> { });
            HubClient client = new HubClient(hub.url(), "wrong", Optional.empty(), Duration.ofSeconds(5));
            Registrar.Outcome outcome = registrar.register(() -> client.register(REQUEST));
            assertThat(outcome).isInstanceOf(Registrar.Outcome.Refused.class);
            assertThat(((Registrar.Outcome.Refused) outcome).error()).contains("401", "unknown registration token");
            assertThat(time.slept).isEmpty();
        }
    }

    static Stream<Long> seeds() {
        return LongStream.rangeClosed(1, 200).boxed();
    }

    /** Every delay lies in [ceiling/2, ceiling], ceilings grow by the multiplier up to max, and the total stays in the bound. */
    @ParameterizedTest
    @MethodSource("seeds")
    void backoffDelaysStayWithinTheirBounds(long seed) {
        Random random = new Random(seed);
        Backoff backoff = new Backoff(Duration.ofMillis(1 + random.nextInt(1000)), Duration.ofMillis(1000 + random.nextInt(20_000)),
                1.0 + random.nextDouble() * 2, Duration.ofMillis(random.nextInt(120_000)));
        FakeTime time = new FakeTime();
        Registrar registrar = new Registrar(backoff, time, time::sleep, random::nextDouble, line -> { });
        Registrar.Outcome outcome = registrar.register(() -> {
            throw new HubException(java.util.OptionalInt.of(503), true, "down");
        });
        assertThat(outcome).isInstanceOf(Registrar.Outcome.Pending.class);
        assertThat(time.slept.stream().reduce(Duration.ZERO, Duration::plus)).isLessThanOrEqualTo(backoff.total());
        for (int i = 0; i < time.slept.size(); i++) {
            Duration ceiling = backoff.ceiling(i);
            assertThat(ceiling).isLessThanOrEqualTo(backoff.max());
            assertThat(time.slept.get(i)).isBetween(ceiling.dividedBy(2), ceiling);
            if (i > 0) {
                assertThat(ceiling).isGreaterThanOrEqualTo(backoff.ceiling(i - 1));
            }
        }
        assertThat(outcome.attempts()).isEqualTo(time.slept.size() + 1);
    }
}
