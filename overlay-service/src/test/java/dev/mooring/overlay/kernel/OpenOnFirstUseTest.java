package dev.mooring.overlay.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OpenOnFirstUseTest {

    private final AtomicInteger opened = new AtomicInteger();
    private final InMemoryKernel real = new InMemoryKernel();
    private final OpenOnFirstUse kernel = new OpenOnFirstUse(() -> {
        opened.incrementAndGet();
        return real;
    });

    @Test
    void opensAtTheFirstCallAndOnlyOnce() throws KernelException {
        assertThat(opened).hasValue(0);

        kernel.observe();
        kernel.observe();

        assertThat(opened).hasValue(1);
    }

    @Test
    void aFailureToOpenComesFromTheFirstCall() {
        OpenOnFirstUse failing = new OpenOnFirstUse(() -> {
            throw new KernelException("open rtnetlink socket failed: EPERM (Operation not permitted)", 1);
        });

        assertThatThrownBy(failing::observe).isInstanceOf(KernelException.class).hasMessageContaining("EPERM");
    }

    @Test
    void closingAnUnusedHandleOpensNothing() {
        kernel.close();

        assertThat(opened).hasValue(0);
        assertThatThrownBy(kernel::observe).isInstanceOf(IllegalStateException.class);
    }
}
