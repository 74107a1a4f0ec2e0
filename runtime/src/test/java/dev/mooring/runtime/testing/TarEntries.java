package dev.mooring.runtime.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the headers of a tar (ustar and GNU, with GNU long names), so tests check what the
 * archive itself records, not what an extracting tar makes of it.
 */
public final class TarEntries {

    private static final int BLOCK = 512;

    /** One header: the fields a reproducible archive fixes. */
    public record Entry(String name, char type, int mode, long uid, long gid, String owner, String group,
                        long size, long mtime, String linkTarget) {
        public boolean isDirectory() {
            return type == '5';
        }
    }

    private TarEntries() {}

    public static List<Entry> read(Path tar) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tar)) {
            String longName = null;
            String longLink = null;
            while (true) {
                byte[] header = in.readNBytes(BLOCK);
                if (header.length < BLOCK || isZero(header)) {
                    return entries;
                }
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                byte[] data = in.readNBytes((int) (((size + BLOCK - 1) / BLOCK) * BLOCK));
                switch (type) {
                    case 'L' -> longName = text(data, 0, (int) size);
                    case 'K' -> longLink = text(data, 0, (int) size);
                    default -> {
                        String name = longName != null ? longName : text(header, 0, 100);
                        String link = longLink != null ? longLink : text(header, 157, 100);
                        entries.add(new Entry(name, type, (int) octal(header, 100, 8), octal(header, 108, 8), octal(header, 116, 8),
                                text(header, 265, 32), text(header, 297, 32), size, octal(header, 136, 12), link));
                        longName = null;
                        longLink = null;
                    }
                }
            }
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] bytes, int offset, int length) {
        String digits = text(bytes, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }
}
