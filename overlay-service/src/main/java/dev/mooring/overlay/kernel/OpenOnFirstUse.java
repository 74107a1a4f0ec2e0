package dev.mooring.overlay.kernel;

import java.util.function.Consumer;

/**
 * A {@link Kernel} opened when it is first used, not when it is made: the service's start reads
 * its persisted identity (files, JSON) before it asks the kernel anything, and on a device that
 * work then runs while a second thread makes the system-call stub the kernel needs
 * ({@code WarmUp}) instead of waiting for it. Opening fails at the first call, with the opener's
 * {@link KernelException}.
 */
public final class OpenOnFirstUse implements Kernel {

    /** Opens the real kernel. */
    @FunctionalInterface
    public interface Opener {
        Kernel open() throws KernelException;
    }

    private final Opener opener;
    private Kernel kernel;
    private boolean closed;

    public OpenOnFirstUse(Opener opener) {
        this.opener = opener;
    }

    private synchronized Kernel kernel() throws KernelException {
        if (closed) {
            throw new IllegalStateException("the kernel handle is closed");
        }
        if (kernel == null) {
            kernel = opener.open();
        }
        return kernel;
    }

    @Override
    public KernelState observe() throws KernelException {
        return kernel().observe();
    }

    @Override
    public void apply(KernelChange change) throws KernelException {
        kernel().apply(change);
    }

    @Override
    public AutoCloseable watch(Consumer<KernelEvent> listener) throws KernelException {
        return kernel().watch(listener);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (kernel != null) {
            kernel.close();
        }
    }
}
