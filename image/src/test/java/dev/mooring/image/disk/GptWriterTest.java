package dev.mooring.image.disk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The GPT writer against the UEFI layout (checked byte by byte here), against util-linux's sfdisk
 * and gdisk's sgdisk (independent readers, when installed), and round-tripped through GptReader.
 */
class GptWriterTest {

    @TempDir
    Path dir;

    static final UUID DISK = UUID.fromString("01234567-89ab-4cde-8f01-23456789abcd");

    static GptLayout demo(long bytes) {
        return GptLayout.place(bytes, DISK, List.of(
                new GptLayout.Request("esp", Guid.EFI_SYSTEM, Guid.derived("esp"), 128L << 20),
                new GptLayout.Request("oem", Guid.BASIC_DATA, Guid.derived("oem"), 16L << 20),
                new GptLayout.Request("root", Guid.LINUX_ROOT_X86_64, Guid.derived("root"), 0)));
    }

    Path write(GptLayout layout) throws IOException {
        Path disk = dir.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(layout.sizeBytes());
        }
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.WRITE)) {
            GptWriter.writeTo(ch, layout);
        }
        return disk;
    }

    @Test
    void placesPartitionsOnMebibyteBoundariesWithTheLastTakingTheRest() {
        GptLayout layout = demo(2L << 30);
        assertThat(layout.partitions()).extracting(GptPartition::firstLba).containsExactly(2048L, 2048L + 262144, 2048L + 262144 + 32768);
        GptPartition root = layout.partition("root");
        assertThat(root.lastLba()).isEqualTo(layout.lastUsableLba()).isEqualTo((2L << 30) / 512 - 34);
        assertThat(layout.partition("esp").sizeBytes()).isEqualTo(128L << 20);
    }

    @Test
    void headersAndArraysMatchTheSpecification() throws IOException {
        GptLayout layout = demo(1L << 30);
        Path disk = write(layout);
        byte[] all = Files.readAllBytes(disk);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        // Protective MBR
        assertThat(all[510] & 0xff).isEqualTo(0x55);
        assertThat(all[511] & 0xff).isEqualTo(0xAA);
        assertThat(all[446 + 4] & 0xff).isEqualTo(0xEE);
        assertThat(b.getInt(446 + 8)).isEqualTo(1);
        assertThat(b.getInt(446 + 12) & 0xffffffffL).isEqualTo(layout.sectors() - 1);
        long last = layout.sectors() - 1;
        for (long headerLba : new long[] {1, last}) {
            int h = (int) (headerLba * 512);
            assertThat(new String(all, h, 8, StandardCharsets.US_ASCII)).isEqualTo("EFI PART");
            assertThat(b.getInt(h + 8)).isEqualTo(0x00010000);
            assertThat(b.getInt(h + 12)).isEqualTo(92);
            byte[] header = java.util.Arrays.copyOfRange(all, h, h + 92);
            ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0);
            assertThat(b.getInt(h + 16)).as("header CRC32 at LBA " + headerLba).isEqualTo((int) crc(header, 0, 92));
            assertThat(b.getLong(h + 24)).isEqualTo(headerLba);
            assertThat(b.getLong(h + 32)).isEqualTo(headerLba == 1 ? last : 1);
            assertThat(b.getLong(h + 40)).isEqualTo(34);
            assertThat(b.getLong(h + 48)).isEqualTo(last - 33);
            long arrayLba = b.getLong(h + 72);
            assertThat(arrayLba).isEqualTo(headerLba == 1 ? 2 : last - 32);
            assertThat(b.getInt(h + 80)).isEqualTo(128);
            assertThat(b.getInt(h + 84)).isEqualTo(128);
            assertThat(b.getInt(h + 88)).as("array CRC32").isEqualTo((int) crc(all, (int) (arrayLba * 512), 128 * 128));
        }
        // First entry: the ESP type GUID in GPT's mixed-endian form.
        assertThat(java.util.HexFormat.of().formatHex(all, 1024, 1040)).isEqualTo("28732ac11ff8d211ba4b00a0c93ec93b");
        assertThat(new String(all, 1024 + 56, 6, StandardCharsets.UTF_16LE)).isEqualTo("esp");
    }

    @Test
    void roundTripsThroughTheReader() throws Exception {
        GptLayout layout = demo(1L << 30);
        Path disk = write(layout);
        try (FileChannel ch = FileChannel.open(disk)) {
            assertThat(GptReader.read(ch)).isEqualTo(layout);
        }
    }

    @Test
    void theReaderNoticesADamagedArray() throws Exception {
        Path disk = write(demo(1L << 30));
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.seek(1024 + 40);
            f.write(7);
        }
        try (FileChannel ch = FileChannel.open(disk)) {
            assertThatThrownBy(() -> GptReader.read(ch)).hasMessageContaining("entry array CRC32");
        }
    }

    @Test
    void sfdiskReadsWhatWeWrote() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sfdisk")) || Files.isExecutable(Path.of("/sbin/sfdisk")), "sfdisk (fdisk package) is not installed");
        GptLayout layout = demo(1L << 30);
        Path disk = write(layout);
        String dump = run("sfdisk", "--dump", disk.toString());
        assertThat(dump).contains("label: gpt").contains("label-id: " + DISK.toString().toUpperCase())
                .contains("first-lba: 34").contains("last-lba: " + layout.lastUsableLba());
        for (GptPartition p : layout.partitions()) {
            assertThat(dump).contains("start=" + padded(p.firstLba()) + ", size=" + padded(p.lastLba() - p.firstLba() + 1)
                    + ", type=" + p.type().toString().toUpperCase() + ", uuid=" + p.guid().toString().toUpperCase() + ", name=\"" + p.name() + "\"");
        }
    }

    @Test
    void sgdiskVerifiesWhatWeWrote() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/sgdisk")) || Files.isExecutable(Path.of("/sbin/sgdisk")), "sgdisk (gdisk package) is not installed");
        Path disk = write(demo(1L << 30));
        String verify = run("sgdisk", "-v", disk.toString());
        assertThat(verify).contains("No problems found");
    }

    static java.util.stream.Stream<Long> seeds() {
        return LongStream.range(1, 17).boxed();
    }

    /** Random partition sizes and counts: the reader gives back what the writer wrote, CRCs included, and sgdisk agrees. */
    @ParameterizedTest
    @MethodSource("seeds")
    void randomLayoutsRoundTrip(long seed) throws Exception {
        Random random = new Random(seed);
        int count = 1 + random.nextInt(6);
        List<GptLayout.Request> requests = new ArrayList<>();
        long sum = 0;
        for (int i = 0; i < count; i++) {
            long size = (1 + random.nextInt(64)) * (1L << 20) - (random.nextBoolean() ? 512L * random.nextInt(100) : 0);
            sum += size;
            boolean rest = i == count - 1 && random.nextBoolean();
            requests.add(new GptLayout.Request("p" + i + "-" + seed, i == 0 ? Guid.EFI_SYSTEM : Guid.LINUX_ROOT_X86_64,
                    Guid.derived("seed", Long.toString(seed), Integer.toString(i)), rest ? 0 : size));
        }
        long disk = GptLayout.minimumDiskBytes(requests.stream().map(r -> r.sizeBytes() == 0 ? 1L << 20 : r.sizeBytes()).toList())
                + (random.nextInt(8) << 20);
        GptLayout layout = GptLayout.place(disk, Guid.derived("disk", Long.toString(seed)), requests);
        assertThat(sum).isPositive();
        Path file = write(layout);
        try (FileChannel ch = FileChannel.open(file)) {
            assertThat(GptReader.read(ch)).as("seed " + seed).isEqualTo(layout);
        }
        for (int i = 1; i < layout.partitions().size(); i++) {
            assertThat(layout.partitions().get(i).firstLba()).isGreaterThan(layout.partitions().get(i - 1).lastLba());
            assertThat(layout.partitions().get(i).firstLba() % GptLayout.ALIGN).isZero();
        }
        if (Files.isExecutable(Path.of("/usr/sbin/sgdisk")) || Files.isExecutable(Path.of("/sbin/sgdisk"))) {
            assertThat(run("sgdisk", "-v", file.toString())).as("seed " + seed).contains("No problems found");
        }
    }

    @Test
    void refusesADiskTooSmallForItsPartitions() {
        assertThatThrownBy(() -> demo(100L << 20)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too small");
    }

    static String padded(long n) {
        return String.format("%12d", n);
    }

    static long crc(byte[] bytes, int offset, int length) {
        CRC32 c = new CRC32();
        c.update(bytes, offset, length);
        return c.getValue();
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }
}
