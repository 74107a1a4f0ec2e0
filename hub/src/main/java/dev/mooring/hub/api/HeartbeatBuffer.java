package dev.mooring.hub.api;

import dev.mooring.hub.store.Heartbeat;
import dev.mooring.hub.store.HostRecord;
import dev.mooring.hub.store.Store;
import dev.mooring.hub.store.StoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Heartbeats are soft state: the newest one of each host is kept here and written to the store in
 * one transaction per {@code flushEvery}. So thousands of hosts beating every few seconds cost one
 * disk sync per second instead of one per beat; after a crash at most that much "last seen" is
 * lost, and the next beat brings it back. Registrations never go through here.
 */
public final class HeartbeatBuffer implements AutoCloseable {

    private static final int CHUNK = 500;

    private final Store store;
    private final Consumer<String> log;
    private final Map<String, Heartbeat> pending = new ConcurrentHashMap<>();
    /** The newest beat per host, flushed or not, so readers never see an older one from the store. */
    private final Map<String, Heartbeat> latest = new ConcurrentHashMap<>();
    private final ScheduledExecutorService flusher;

    public HeartbeatBuffer(Store store, Duration flushEvery, Consumer<String> log) {
        this.store = store;
        this.log = log;
        this.flusher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("hub-heartbeats").factory());
        long every = flushEvery.toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    public void record(Heartbeat beat) {
        pending.put(beat.hostId(), beat);
        latest.put(beat.hostId(), beat);
    }

    /** The host as the store has it, with its newest heartbeat applied. */
    public HostRecord apply(HostRecord host) {
        Heartbeat beat = latest.get(host.hostId());
        return beat == null || beat.at().isBefore(host.lastSeen()) ? host : host.withHeartbeat(beat);
    }

    /** A removed (or re-registered) host's buffered state is dropped. */
    public void forget(String hostId) {
        pending.remove(hostId);
        latest.remove(hostId);
    }

    public void flush() throws StoreException {
        List<Heartbeat> batch = new ArrayList<>();
        for (String id : List.copyOf(pending.keySet())) {
            Heartbeat beat = pending.remove(id);
            if (beat != null) {
                batch.add(beat);
            }
            if (batch.size() == CHUNK) {
                write(batch);
                batch = new ArrayList<>();
            }
        }
        write(batch);
    }

    private void write(List<Heartbeat> batch) throws StoreException {
        try {
            store.heartbeats(batch);
        } catch (StoreException e) {
            // Put them back unless a newer beat arrived meanwhile; the next flush tries again.
            batch.forEach(b -> pending.putIfAbsent(b.hostId(), b));
            throw e;
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (StoreException | RuntimeException e) {
            log.accept("could not write heartbeats to the store, retrying in a moment: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
