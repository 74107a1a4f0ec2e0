package dev.mooring.firstboot.userdata;

import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.TextPosition;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Turns user-data bytes into text the way cloud-init does (gzip'd user-data is decompressed), and
 * refuses what is not text: too large, NUL bytes, invalid UTF-8.
 */
final class UserDataText {

    private UserDataText() {
    }

    static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /** The text, or empty after reporting why the bytes are not user-data text. */
    static Optional<String> decode(byte[] input, Findings findings) {
        byte[] bytes = input;
        if (bytes.length > UserDataValidator.MAX_BYTES) {
            findings.error(1, 1, "the user-data is " + bytes.length + " bytes, more than the limit of " + UserDataValidator.MAX_BYTES_TEXT,
                    "keep user-data small: ship large files in the image, or compress them (gzip) in write_files");
            return Optional.empty();
        }
        if (isGzip(bytes)) {
            Optional<byte[]> expanded = gunzip(bytes, findings);
            if (expanded.isEmpty()) {
                return Optional.empty();
            }
            bytes = expanded.get();
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                TextPosition at = position(bytes, i);
                findings.error(at.line(), at.column(), "the user-data contains a NUL byte: it is binary data, not text",
                        "give a #cloud-config file, a shell script or a MIME archive; put binary files in write_files with encoding: b64");
                return Optional.empty();
            }
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            TextPosition at = position(bytes, in.position());
            findings.error(at.line(), at.column(), String.format("the user-data is not UTF-8 text (byte 0x%02x)", bytes[in.position()] & 0xff),
                    "save the file as UTF-8");
            return Optional.empty();
        }
        decoder.flush(out);
        out.flip();
        String text = out.toString();
        // A UTF-8 byte order mark is not part of the text; editors on Windows add it.
        return Optional.of(text.startsWith("\uFEFF") ? text.substring(1) : text);
    }

    private static Optional<byte[]> gunzip(byte[] bytes, Findings findings) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            byte[] out = in.readNBytes(UserDataValidator.MAX_BYTES + 1);
            if (out.length > UserDataValidator.MAX_BYTES) {
                findings.error(1, 1, "the gzip'd user-data expands to more than " + UserDataValidator.MAX_BYTES_TEXT,
                        "keep user-data under " + UserDataValidator.MAX_BYTES_TEXT + " once decompressed");
                return Optional.empty();
            }
            return Optional.of(out);
        } catch (IOException e) {
            findings.error(1, 1, "the user-data looks gzip'd but cannot be decompressed (" + e.getMessage() + ")",
                    "compress it again with gzip, or give it uncompressed");
            return Optional.empty();
        }
    }

    /** 1-based line and column (counted in bytes) of byte {@code index}. */
    private static TextPosition position(byte[] bytes, int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new TextPosition(line, index - lineStart + 1);
    }
}
