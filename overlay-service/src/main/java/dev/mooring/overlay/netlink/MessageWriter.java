package dev.mooring.overlay.netlink;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one netlink request at a time in a reusable buffer: the header, a fixed struct
 * ({@code ifinfomsg}, ...) written field by field, then attributes, nested ones included, each
 * padded to 4 bytes. {@link #finish()} fills in the lengths. Not thread-safe; one per socket.
 */
public final class MessageWriter {
    private final ByteBuffer buffer;
    private int start = -1;

    /** A writer for requests of at most {@code capacity} bytes. */
    public MessageWriter(int capacity) {
        if (capacity < NetlinkMessage.HEADER_SIZE) {
            throw new IllegalArgumentException("capacity: expected at least " + NetlinkMessage.HEADER_SIZE + ", got " + capacity);
        }
        this.buffer = ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a new message, discarding any unfinished one; sequence and port stay 0 until set. */
    public MessageWriter begin(int type, int flags) {
        buffer.clear();
        start = 0;
        return u32(0).u16(type).u16(flags).u32(0).u32(0);
    }

    /** Sets the header's sequence number. */
    public MessageWriter sequence(int sequence) {
        requireStarted();
        buffer.putInt(8, sequence);
        return this;
    }

    public MessageWriter u8(int value) {
        return put(() -> buffer.put((byte) value));
    }

    public MessageWriter u16(int value) {
        return put(() -> buffer.putShort((short) value));
    }

    public MessageWriter u32(int value) {
        return put(() -> buffer.putInt(value));
    }

    /** An attribute with raw bytes as its value. */
    public MessageWriter attribute(int type, byte[] value) {
        return header(type, value.length).put(() -> buffer.put(value)).pad();
    }

    public MessageWriter attributeU8(int type, int value) {
        return header(type, 1).u8(value).pad();
    }

    /** A 16-bit value in network byte order (ports). */
    public MessageWriter attributeBe16(int type, int value) {
        return header(type, 2).u8(value >>> 8).u8(value).pad();
    }

    public MessageWriter attributeU32(int type, int value) {
        return header(type, 4).u32(value);
    }

    /** A NUL-terminated string, as the kernel expects for names and kinds. */
    public MessageWriter attributeString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        return header(type, bytes.length + 1).put(() -> buffer.put(bytes).put((byte) 0)).pad();
    }

    /** Opens a nested attribute; pass the returned mark to {@link #endNested(int)}. */
    public int beginNested(int type) {
        int mark = buffer.position();
        header(type, 0);
        return mark;
    }

    /** Closes the nested attribute opened at {@code mark}, setting its length. */
    public MessageWriter endNested(int mark) {
        requireStarted();
        buffer.putShort(mark, (short) (buffer.position() - mark));
        return this;
    }

    /** Sets the message length and returns a read-only view of the finished message. */
    public ByteBuffer finish() {
        requireStarted();
        buffer.putInt(0, buffer.position());
        return buffer.asReadOnlyBuffer().order(ByteOrder.nativeOrder()).flip();
    }

    private MessageWriter header(int type, int valueLength) {
        if (valueLength + 4 > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + ": value of " + valueLength + " bytes exceeds 65531");
        }
        return u16(valueLength + 4).u16(type);
    }

    private MessageWriter pad() {
        while ((buffer.position() & 3) != 0) {
            u8(0);
        }
        return this;
    }

    private MessageWriter put(Runnable write) {
        requireStarted();
        try {
            write.run();
        } catch (BufferOverflowException e) {
            throw new IllegalStateException("netlink request does not fit the writer's " + buffer.capacity() + " bytes", e);
        }
        return this;
    }

    private void requireStarted() {
        if (start < 0) {
            throw new IllegalStateException("begin(type, flags) first");
        }
    }
}
