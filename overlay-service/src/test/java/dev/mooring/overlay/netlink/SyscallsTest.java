package dev.mooring.overlay.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The one syscall(2) handle: results, errno, and the memory it refuses to pass to the kernel. No root needed. */
class SyscallsTest {

    private static final int EBADF = 9;

    @Test
    void aFailedCallCarriesItsNameAndErrno() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Syscalls.bind(-1, arena.allocate(12)))
                    .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(EBADF))
                    .hasMessageContaining("bind");
        }
    }

    @Test
    void errnoIsReadWhereTheLayoutPutsIt() {
        StructLayout capture = Linker.Option.captureStateLayout();
        assertThat(Syscalls.offsetOf(capture, "errno")).isEqualTo(capture.byteOffset(MemoryLayout.PathElement.groupElement("errno")));
        StructLayout padded = MemoryLayout.structLayout(ValueLayout.JAVA_SHORT.withName("a"), MemoryLayout.paddingLayout(2),
                ValueLayout.JAVA_INT.withName("b"), ValueLayout.JAVA_LONG.withName("c"));
        assertThat(Syscalls.offsetOf(padded, "c")).isEqualTo(8);
        assertThatThrownBy(() -> Syscalls.offsetOf(padded, "d")).hasMessageContaining("no member d");
    }

    @Test
    void anEventfdWakesAPoll() throws Exception {
        int fd = Syscalls.eventfd();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8);
            pollfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, Syscalls.POLLIN);
            assertThat(Syscalls.poll(pollfd, 1, 0)).isZero();
            Syscalls.signal(fd);
            assertThat(Syscalls.poll(pollfd, 1, 0)).isEqualTo(1);
        } finally {
            Syscalls.close(fd);
        }
    }

    @Test
    void heapMemoryIsRefusedBeforeTheKernelSeesIt() {
        assertThatThrownBy(() -> Syscalls.bind(0, MemorySegment.ofArray(new byte[12])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("native memory");
    }

    @Test
    void freedMemoryIsRefusedBeforeTheKernelSeesIt() {
        MemorySegment freed;
        try (Arena arena = Arena.ofConfined()) {
            freed = arena.allocate(12);
        }
        assertThatThrownBy(() -> Syscalls.bind(0, freed))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already freed");
    }

    @Test
    void aPollWithMoreStructsThanTheBufferHoldsIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> Syscalls.poll(arena.allocate(8), 2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
