package dev.mooring.firstboot.registration;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Registers with retries: a retryable failure waits the {@link Backoff} delay and tries again,
 * until the next delay would end past {@code backoff.total()}; then the registration is pending
 * (the next run of first boot tries again). Sleep, clock and randomness are injected so tests
 * check the delays, not the wall time.
 */
public final class Registrar {

    /** Waits; tests advance a fake clock instead. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** How it ended: registered, pending (hub unreachable within the bound) or refused (retrying cannot help). */
    public sealed interface Outcome {
        int attempts();

        List<Duration> delays();

        record Registered(HubAnswer answer, int attempts, List<Duration> delays) implements Outcome {
        }

        record Pending(String lastError, int attempts, List<Duration> delays) implements Outcome {
        }

        record Refused(String error, int attempts, List<Duration> delays) implements Outcome {
        }
    }

    /** One attempt; {@link HubClient#register} in production. */
    @FunctionalInterface
    public interface Attempt {
        HubAnswer call() throws HubException;
    }

    private final Backoff backoff;
    private final Clock clock;
    private final Sleeper sleeper;
    private final DoubleSupplier random;
    private final Consumer<String> log;

    public Registrar(Backoff backoff, Clock clock, Sleeper sleeper, DoubleSupplier random, Consumer<String> log) {
        this.backoff = backoff;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
        this.log = log;
    }

    public Outcome register(Attempt attempt) {
        Instant start = clock.instant();
        List<Duration> delays = new ArrayList<>();
        for (int n = 0; ; n++) {
            try {
                HubAnswer answer = attempt.call();
                return new Outcome.Registered(answer, n + 1, delays);
            } catch (HubException e) {
                if (!e.retryable()) {
                    return new Outcome.Refused(e.getMessage(), n + 1, delays);
                }
                Duration delay = backoff.delay(n, random.getAsDouble());
                // The sleeps count even if the clock stands still (a fixed clock, a clock stepped back by NTP).
                Duration slept = delays.stream().reduce(Duration.ZERO, Duration::plus);
                Duration byClock = Duration.between(start, clock.instant());
                Duration elapsed = byClock.compareTo(slept) > 0 ? byClock : slept;
                if (elapsed.plus(delay).compareTo(backoff.total()) > 0) {
                    log.accept("registration pending after " + (n + 1) + " attempts in " + elapsed.toMillis() + " ms: " + e.getMessage());
                    return new Outcome.Pending(e.getMessage(), n + 1, delays);
                }
                log.accept("registration attempt " + (n + 1) + " failed (" + e.getMessage() + "); retrying in " + delay.toMillis() + " ms");
                delays.add(delay);
                try {
                    sleeper.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new Outcome.Pending("interrupted: " + e.getMessage(), n + 1, delays);
                }
            }
        }
    }
}
