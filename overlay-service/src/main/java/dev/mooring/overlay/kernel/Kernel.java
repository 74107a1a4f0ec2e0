package dev.mooring.overlay.kernel;

import java.util.function.Consumer;

/**
 * The kernel's network state as the reconciler sees it: observe everything, apply one change,
 * hear about changes. The production implementation speaks rtnetlink over FFM; unit tests use an
 * in-memory fake.
 */
public interface Kernel extends AutoCloseable {

    /** Dumps links, IPv4 addresses, VXLAN FDB entries and permanent neighbours. */
    KernelState observe() throws KernelException;

    /** Applies one change and waits for the kernel's acknowledgement. */
    void apply(KernelChange change) throws KernelException;

    /**
     * Delivers link and IPv4 address events to {@code listener} on a background thread until the
     * returned handle is closed.
     */
    AutoCloseable watch(Consumer<KernelEvent> listener) throws KernelException;

    @Override
    void close();
}
