package dev.mooring.firstboot.run;

import dev.mooring.firstboot.apply.Applier;
import dev.mooring.firstboot.apply.CommandRunner;
import dev.mooring.firstboot.apply.FileAttributes;
import dev.mooring.firstboot.apply.Journal;
import dev.mooring.firstboot.apply.Plan;
import dev.mooring.firstboot.apply.Planner;
import dev.mooring.firstboot.apply.PlanningException;
import dev.mooring.firstboot.apply.RootFiles;
import dev.mooring.firstboot.apply.StepResult;
import dev.mooring.firstboot.cloudconfig.CloudInitKeys;
import dev.mooring.firstboot.cloudconfig.Timezones;
import dev.mooring.firstboot.datasource.DatasourceException;
import dev.mooring.firstboot.datasource.Datasources;
import dev.mooring.firstboot.datasource.MetaData;
import dev.mooring.firstboot.datasource.MetaDataParser;
import dev.mooring.firstboot.datasource.Seed;
import dev.mooring.firstboot.diagnostic.Diagnostic;
import dev.mooring.firstboot.diagnostic.Findings;
import dev.mooring.firstboot.diagnostic.Severity;
import dev.mooring.firstboot.diagnostic.Source;
import dev.mooring.firstboot.mooring.MooringConfig;
import dev.mooring.firstboot.mooring.Registration;
import dev.mooring.firstboot.registration.HubRegistration;
import dev.mooring.firstboot.userdata.UserData;
import dev.mooring.firstboot.userdata.UserDataPart;
import dev.mooring.firstboot.userdata.UserDataPart.CloudConfigPart;
import dev.mooring.firstboot.userdata.UserDataValidator;
import dev.mooring.firstboot.userdata.Validation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One run of first boot: find the seed, validate everything, plan (or load the instance's plan),
 * apply it step by step with the journal, register with the hub, write the status. Invalid input
 * stops it before the first change; the status file is then the only thing written.
 */
public final class FirstbootRun {

    /**
     * What a run needs from outside.
     *
     * @param files        the root to change (a {@link dev.mooring.firstboot.apply.DirectoryRoot} of {@code root})
     * @param commands     runs bootcmd/runcmd; empty records them as skipped (a --root without --run-commands)
     * @param mediaWait    how long to wait for a CIDATA medium when no other seed exists
     * @param networkWait  how long an http(s) seed may take to become reachable
     * @param bootId       this boot's id (per-boot markers)
     * @param registration how to register, when the user-data asks for it
     */
    public record Options(Path root, RootFiles files, Optional<String> cmdline, Optional<Path> seed, Optional<CommandRunner> commands,
                          Duration mediaWait, Duration networkWait, String bootId, Clock clock, HubRegistration.Settings registration) {
    }

    private final Options options;
    private final Consumer<String> log;
    private final RootFiles root;
    private final Journal journal;

    public FirstbootRun(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
        this.root = options.files();
        this.journal = new Journal(root);
    }

    /** Runs and writes the status file; only I/O errors of the status file itself escape. */
    public FirstbootStatus run() throws IOException {
        Instant started = options.clock().instant();
        Outcome out = new Outcome();
        boolean completed = false;
        try {
            apply(out);
            completed = true;
        } catch (IOException | RuntimeException e) {
            out.errors.add(runError("cannot apply the user-data: " + e, "check the disk (space, read-only?) and run mooring firstboot run again: it continues where it stopped"));
        }
        try {
            settleNetworkPending(out.networkPending, completed);
        } catch (IOException | RuntimeException e) {
            out.errors.add(runError("cannot update " + Journal.NETWORK_PENDING + ": " + e,
                    "check the disk (space, read-only?); until it is fixed, run mooring firstboot run by hand once the network is up"));
        }
        FirstbootStatus.State state = !out.errors.isEmpty() || out.registration.state().equals("failed") ? FirstbootStatus.State.FAILED
                : out.registration.state().equals("pending") ? FirstbootStatus.State.PENDING_REGISTRATION : FirstbootStatus.State.OK;
        FirstbootStatus status = new FirstbootStatus(state, out.instanceId, out.seed.map(Seed::datasource), out.seed.map(Seed::location),
                out.newInstance, started, options.clock().instant(), out.steps, out.errors, out.warnings, out.notes, out.registration);
        if (!root.isDirectory("/run")) {
            root.makeDirectory("/run", FileAttributes.ROOT_0755);
        }
        if (!root.isDirectory("/run/mooring")) {
            root.makeDirectory("/run/mooring", FileAttributes.ROOT_0755);
        }
        root.write(FirstbootStatus.PATH, status.toJson(), FileAttributes.ROOT_0644);
        return status;
    }

    /** Mutable collection of one run's results. */
    private static final class Outcome {
        Optional<Seed> seed = Optional.empty();
        Optional<String> instanceId = Optional.empty();
        boolean newInstance;
        List<StepResult> steps = List.of();
        final List<Diagnostic> errors = new ArrayList<>();
        final List<Diagnostic> warnings = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        FirstbootStatus.Registration registration = FirstbootStatus.Registration.NOT_CONFIGURED;
        /** What still waits for the network, one line each: the content of the network-pending marker. */
        final List<String> networkPending = new ArrayList<>();
    }

    /**
     * The network-pending marker after a run: written while anything waits for the network, removed
     * when the run finished and nothing does. A run cut short by an error leaves a marker it cannot
     * prove stale: an extra run of the network unit is cheap, skipped pending work is not.
     */
    private void settleNetworkPending(List<String> pending, boolean completed) throws IOException {
        if (!pending.isEmpty()) {
            if (journal.markNetworkPending(pending)) {
                log.accept("waiting for the network: " + String.join("; ", pending) + " (" + Journal.NETWORK_PENDING
                        + " written: mooring-firstboot-network.service runs once the network is online)");
            }
        } else if (completed && journal.clearNetworkPending()) {
            log.accept("nothing waits for the network any more: removed " + Journal.NETWORK_PENDING);
        }
    }

    private void apply(Outcome out) throws IOException {
        Optional<Seed> found;
        try {
            found = findSeed(out);
        } catch (DatasourceException e) {
            out.errors.add(runError(e.getMessage(), "fix the datasource, then run mooring firstboot run again"));
            return;
        }
        if (found.isEmpty()) {
            out.errors.add(runError("no user-data found: no ds=nocloud on the kernel command line, no CIDATA medium, no /oem/*.yaml and no earlier instance",
                    "attach a CIDATA seed (mkfs.vfat -n CIDATA; mcopy user-data meta-data), or put user-data into the image's /oem"));
            return;
        }
        Seed seed = found.get();
        out.seed = found;
        Findings findings = new Findings(Source.file(seed.location()));
        Optional<UserData> userData = validate(seed, findings);
        Optional<MetaData> meta = seed.file(Seed.META_DATA).isPresent()
                ? MetaDataParser.parse(seed.location() + "/meta-data", seed.file(Seed.META_DATA).get(), findings)
                : Optional.empty();
        if (seed.file(Seed.META_DATA).isEmpty()) {
            findings.fileError("the seed has no meta-data, so first boot cannot tell a new instance from a reboot",
                    "add a meta-data file with instance-id: iid-<unique>");
        }
        for (Diagnostic d : findings.sorted()) {
            (d.isError() ? out.errors : out.warnings).add(d);
        }
        if (!out.errors.isEmpty() || userData.isEmpty() || meta.isEmpty()) {
            log.accept("invalid user-data: nothing was changed");
            return;
        }
        MetaData md = meta.get();
        out.instanceId = Optional.of(md.instanceId());
        String dir = md.instanceDirectoryName();
        Optional<MooringConfig> mooring = userData.get().ofKind(CloudConfigPart.class).stream()
                .flatMap(p -> p.config().mooring().stream()).reduce((a, b) -> b);
        Optional<Registration> wantsRegistration = mooring.flatMap(MooringConfig::registration);
        HubRegistration hub = new HubRegistration(root, options.registration(), log);
        Optional<Plan> plan = journal.plan(dir);
        boolean newInstance = plan.isEmpty();
        if (newInstance) {
            long today = LocalDate.ofInstant(options.clock().instant(), ZoneOffset.UTC).toEpochDay();
            try {
                Planner.Result planned = Planner.plan(userData.get(), md, root, today);
                out.notes.addAll(planned.notes());
                plan = Optional.of(planned.plan());
            } catch (PlanningException e) {
                e.problems().forEach(p -> out.errors.add(new Diagnostic(Severity.ERROR, seed.location() + "/user-data", 0, 0, p,
                        "fix the user-data; nothing was changed")));
                return;
            }
        }
        String registrationPending = wantsRegistration.map(r -> "registration with " + r.url()).orElse("");
        if (wantsRegistration.isPresent() && !hub.registered(dir)) {
            // Before the instance's first change: a power cut anywhere after this leaves the marker, so the
            // network unit of this boot still runs and continues the instance.
            out.networkPending.add(registrationPending);
            settleNetworkPending(out.networkPending, false);
        }
        if (newInstance) {
            Map<String, byte[]> cache = new LinkedHashMap<>();
            for (String name : List.of(Seed.USER_DATA, Seed.META_DATA, Seed.NETWORK_CONFIG)) {
                seed.file(name).ifPresent(b -> cache.put(name, b));
            }
            cache.put("datasource", (seed.datasource() + "\n").getBytes(StandardCharsets.UTF_8));
            journal.begin(md.instanceId(), dir, plan.get(), cache);
            out.newInstance = true;
            log.accept("new instance " + md.instanceId() + " from " + seed.datasource() + " (" + seed.location() + "): "
                    + plan.get().steps().size() + " steps");
        } else {
            Optional<byte[]> before = journal.read(dir, Seed.USER_DATA);
            if (before.isPresent() && !Arrays.equals(before.get(), seed.file(Seed.USER_DATA).orElse(null))) {
                out.notes.add("the user-data changed but the instance-id did not: the changes are not applied (change instance-id in meta-data to apply them)");
            }
            if (!journal.currentInstance().orElse("").equals(md.instanceId())) {
                journal.begin(md.instanceId(), dir, plan.get(), Map.of());
            }
            log.accept("instance " + md.instanceId() + ": continuing (steps done earlier are skipped)");
        }
        out.steps = new Applier(root, options.commands(), log).apply(plan.get(), dir, options.bootId());
        for (StepResult r : out.steps) {
            if (r.outcome() == StepResult.Outcome.FAILED) {
                out.errors.add(runError(r.id() + ": " + r.detail(), "see " + journal.instanceDir(dir) + "/logs for its output"));
            }
        }
        if (wantsRegistration.isPresent()) {
            String hostname = root.read("/etc/hostname").map(b -> new String(b, StandardCharsets.UTF_8).strip()).orElse("localhost");
            out.registration = hub.run(mooring.orElseThrow(), dir, hostname);
            if (!out.registration.state().equals("pending")) {
                // Registered, or refused: a refusal is no wait for the network (the hub answered); every run retries it.
                out.networkPending.remove(registrationPending);
            }
            if (out.registration.state().equals("failed")) {
                out.errors.add(runError("registration: " + out.registration.lastError().orElse(""), "fix mooring.registration (token, url, ca) or the hub"));
            } else if (out.registration.state().equals("pending")) {
                out.notes.add("registration pending: " + out.registration.lastError().orElse("") + "; the next mooring firstboot run tries again");
            }
        }
    }

    /** Validates the user-data (each /oem file on its own first) and the network-config; the parts together. */
    private Optional<UserData> validate(Seed seed, Findings findings) {
        UserDataValidator validator = new UserDataValidator(CloudInitKeys.bundled(), timezones());
        List<UserDataPart> parts = new ArrayList<>();
        boolean ok = true;
        for (Map.Entry<String, byte[]> file : seed.files().entrySet()) {
            if (file.getKey().startsWith("oem/")) {
                ok &= collect(validator.validate("/" + file.getKey(), file.getValue()), findings, parts, false);
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        String userDataName = seed.datasource().equals("oem") ? "/oem (merged)" : seed.location() + "/user-data";
        ok = collect(validator.validate(userDataName, seed.file(Seed.USER_DATA).orElseThrow()), findings, parts, !seed.datasource().equals("oem"));
        if (seed.file(Seed.NETWORK_CONFIG).isPresent()) {
            ok &= collect(validator.validate(seed.location() + "/network-config", seed.file(Seed.NETWORK_CONFIG).get()), findings, parts, true);
        }
        return ok ? Optional.of(new UserData(parts)) : Optional.empty();
    }

    private static boolean collect(Validation v, Findings findings, List<UserDataPart> parts, boolean keepWarnings) {
        for (Diagnostic d : v.diagnostics()) {
            if (d.isError()) {
                findings.forSource(new Source(d.file(), 0)).error(d.line(), d.column(), d.message(), d.hint());
            } else if (keepWarnings && d.line() > 0) {
                findings.forSource(new Source(d.file(), 0)).warning(d.line(), d.column(), d.message(), d.hint());
            }
        }
        v.userData().ifPresent(u -> parts.addAll(u.parts()));
        return v.isValid();
    }

    private Timezones timezones() {
        Path zoneinfo = options.root().resolve("usr/share/zoneinfo");
        return Files.isDirectory(zoneinfo) ? new Timezones(Optional.of(zoneinfo)) : Timezones.system();
    }

    /**
     * The documented order: the kernel command line, --seed or CIDATA, the current instance's cached
     * seed (unless it came from /oem), /oem, any cached seed, and last a bounded wait for CIDATA.
     */
    private Optional<Seed> findSeed(Outcome out) throws DatasourceException, IOException {
        Datasources sources = new Datasources(new Datasources.Options(options.root(), options.cmdline(), options.seed(), options.networkWait()), log);
        Optional<Seed> primary;
        Optional<Seed> cached = cachedSeed();
        try {
            primary = sources.primary();
        } catch (DatasourceException e) {
            if (e.waitsForTheNetwork()) {
                // Also with a cached instance: the seed may name a new one, as soon as the network lets us read it.
                out.networkPending.add("the kernel command line's seed " + sources.commandLineSeed().map(Object::toString).orElse("")
                        + " (not fetched yet)");
            }
            // A later boot before the network is up cannot reach an http seed: the instance is known, keep it.
            if (cached.isPresent()) {
                log.accept(e.getMessage() + "; using the cached seed of the current instance");
                return cached;
            }
            throw e;
        }
        if (primary.isPresent()) {
            return primary;
        }
        if (cached.isPresent() && !cached.get().location().equals("oem")) {
            return cached;
        }
        Optional<Seed> oem = sources.oem();
        if (oem.isPresent()) {
            return oem;
        }
        if (cached.isPresent()) {
            return cached;
        }
        return sources.waitForMedia(options.mediaWait());
    }

    /** The current instance's seed as the journal keeps it; location is the datasource it came from. */
    private Optional<Seed> cachedSeed() {
        Optional<String> current = journal.currentInstance();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        String dir = new MetaData(current.get(), Optional.empty()).instanceDirectoryName();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : List.of(Seed.USER_DATA, Seed.META_DATA, Seed.NETWORK_CONFIG)) {
            journal.read(dir, name).ifPresent(b -> files.put(name, b));
        }
        if (!files.containsKey(Seed.USER_DATA)) {
            return Optional.empty();
        }
        String from = journal.read(dir, "datasource").map(b -> new String(b, StandardCharsets.UTF_8).strip()).orElse("unknown");
        log.accept("datasource: the cached seed of instance " + current.get() + " (from " + from + ")");
        return Optional.of(new Seed("cache", from, files));
    }

    private static Diagnostic runError(String message, String hint) {
        return new Diagnostic(Severity.ERROR, "mooring firstboot", 0, 0, message, hint);
    }
}
