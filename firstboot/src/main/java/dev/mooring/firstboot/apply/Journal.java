package dev.mooring.firstboot.apply;

import dev.mooring.firstboot.apply.Step.Frequency;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The run-once bookkeeping under {@code <root>/var/lib/mooring/firstboot/}:
 * <pre>
 * instance-id                          the instance applied last
 * network-pending                      work waits for the network (why, one reason a line); see {@link #NETWORK_PENDING}
 * instances/ID/plan.json               the plan, fixed at the instance's first run
 * instances/ID/{user-data,meta-data,network-config}   the seed, for later boots without the medium
 * instances/ID/done/STEP               a per-instance step is done (a command: its exit code)
 * instances/ID/boots/BOOT-ID/done/STEP a per-boot step is done in that boot
 * instances/ID/logs/STEP.log           a command's output
 * </pre>
 * Every file goes through {@link RootFiles}, so it is written atomically like the rest.
 */
public final class Journal {

    public static final String DIR = Planner.JOURNAL;

    /**
     * Present while first-boot work waits for the network (a registration, an http(s) seed):
     * mooring-firstboot-network.service runs only when it exists ({@code ConditionPathExists=}), so a
     * boot with nothing pending starts no second JVM. A stale marker costs one run, which removes it.
     */
    public static final String NETWORK_PENDING = DIR + "/network-pending";

    private final RootFiles root;

    public Journal(RootFiles root) {
        this.root = root;
    }

    public Optional<String> currentInstance() {
        return root.read(DIR + "/instance-id").map(b -> new String(b, StandardCharsets.UTF_8).strip()).filter(s -> !s.isEmpty());
    }

    public String instanceDir(String instanceDirName) {
        return DIR + "/instances/" + instanceDirName;
    }

    public Optional<byte[]> read(String instanceDirName, String name) {
        return root.read(instanceDir(instanceDirName) + "/" + name);
    }

    /** Starts an instance: the seed and the plan are stored first, the instance id last. */
    public void begin(String instanceId, String instanceDirName, Plan plan, java.util.Map<String, byte[]> seedFiles) throws IOException {
        ensure(DIR, 0700);
        ensure(DIR + "/instances", 0700);
        String dir = instanceDir(instanceDirName);
        ensure(dir, 0700);
        for (var file : seedFiles.entrySet()) {
            root.write(dir + "/" + file.getKey(), file.getValue(), new FileAttributes(0600, 0, 0));
        }
        root.write(dir + "/plan.json", PlanCodec.encode(plan), new FileAttributes(0600, 0, 0));
        root.write(DIR + "/instance-id", (instanceId + "\n").getBytes(StandardCharsets.UTF_8), new FileAttributes(0644, 0, 0));
    }

    public Optional<Plan> plan(String instanceDirName) throws IOException {
        Optional<byte[]> json = read(instanceDirName, "plan.json");
        return json.isPresent() ? Optional.of(PlanCodec.decode(json.get())) : Optional.empty();
    }

    /** The reasons in the network-pending marker; empty when there is no marker. */
    public List<String> networkPending() {
        return root.read(NETWORK_PENDING).map(b -> new String(b, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList())
                .orElse(List.of());
    }

    /** Writes the network-pending marker (atomically, like every journal file) unless it already says exactly this; true when written. */
    public boolean markNetworkPending(List<String> reasons) throws IOException {
        byte[] content = (String.join("\n", reasons) + "\n").getBytes(StandardCharsets.UTF_8);
        if (root.read(NETWORK_PENDING).map(b -> Arrays.equals(b, content)).orElse(false)) {
            return false;
        }
        ensure(DIR, 0700);
        root.write(NETWORK_PENDING, content, new FileAttributes(0644, 0, 0));
        return true;
    }

    /** Removes the network-pending marker when it exists (a run that changes nothing else changes nothing here either); true when removed. */
    public boolean clearNetworkPending() throws IOException {
        if (root.read(NETWORK_PENDING).isEmpty()) {
            return false;
        }
        root.delete(NETWORK_PENDING);
        return true;
    }

    /** The marker's content ("" for a file step, the exit code for a command), empty when not done. */
    public Optional<String> done(String instanceDirName, String bootId, Step step) {
        return root.read(markerPath(instanceDirName, bootId, step)).map(b -> new String(b, StandardCharsets.UTF_8).strip());
    }

    public void markDone(String instanceDirName, String bootId, Step step, String content) throws IOException {
        String path = markerPath(instanceDirName, bootId, step);
        String dir = path.substring(0, path.lastIndexOf('/'));
        if (step.frequency() == Frequency.PER_BOOT) {
            ensure(instanceDir(instanceDirName) + "/boots", 0700);
            ensure(dir.substring(0, dir.lastIndexOf('/')), 0700);
        }
        ensure(dir, 0700);
        root.write(path, (content + "\n").getBytes(StandardCharsets.UTF_8), new FileAttributes(0600, 0, 0));
    }

    public void log(String instanceDirName, Step step, byte[] output) throws IOException {
        String dir = instanceDir(instanceDirName) + "/logs";
        ensure(dir, 0700);
        root.write(dir + "/" + fileName(step.id()) + ".log", output, new FileAttributes(0600, 0, 0));
    }

    private String markerPath(String instanceDirName, String bootId, Step step) {
        String base = instanceDir(instanceDirName);
        if (step.frequency() == Frequency.PER_BOOT) {
            base += "/boots/" + bootId.replaceAll("[^A-Za-z0-9._-]", "_");
        }
        return base + "/done/" + fileName(step.id());
    }

    private void ensure(String dir, int mode) throws IOException {
        if (!root.isDirectory(dir)) {
            String parent = dir.substring(0, dir.lastIndexOf('/'));
            if (!parent.isEmpty() && !root.isDirectory(parent)) {
                ensure(parent, 0755);
            }
            root.makeDirectory(dir, new FileAttributes(mode, 0, 0));
        }
    }

    /** A step id as a file name: readable when short and plain, else a digest (ids may hold paths). */
    static String fileName(String id) {
        String plain = id.replaceAll("[^A-Za-z0-9._\\[\\]#-]", "_");
        if (plain.length() <= 120 && plain.equals(id)) {
            return plain;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return plain.substring(0, Math.min(plain.length(), 80)) + "-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
