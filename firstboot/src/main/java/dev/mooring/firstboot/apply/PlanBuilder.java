package dev.mooring.firstboot.apply;

import dev.mooring.firstboot.apply.Step.Frequency;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Collects steps while planning, and shows the planner the root as it will be after the steps so
 * far: a later module (an {@code append}, a user's authorized_keys) builds on an earlier one.
 */
public final class PlanBuilder implements RootView {

    private final RootView base;
    private final List<Step> steps = new ArrayList<>();
    private final Set<String> ids = new HashSet<>();
    private final Map<String, byte[]> contents = new HashMap<>();
    private final Map<String, FileAttributes> attributes = new HashMap<>();
    private final Set<String> directories = new HashSet<>();

    public PlanBuilder(RootView base) {
        this.base = base;
    }

    public Plan build(String instanceId) {
        return new Plan(instanceId, steps);
    }

    /** Writes {@code path}, creating missing parent directories (0755 root) first. */
    public void write(String module, String path, byte[] content, FileAttributes attrs) {
        makeParents(module, path);
        steps.add(new Step.WriteFile(id(module + ":" + path), module, path, content, attrs));
        contents.put(path, content.clone());
        attributes.put(path, attrs);
    }

    public void makeDirectory(String module, String path, FileAttributes attrs) {
        makeParents(module, path);
        steps.add(new Step.MakeDirectory(id(module + ":" + path + "/"), module, path, attrs));
        directories.add(path);
        attributes.put(path, attrs);
    }

    public void symlink(String module, String path, String target) {
        makeParents(module, path);
        steps.add(new Step.Symlink(id(module + ":" + path), module, path, target));
        attributes.put(path, new FileAttributes(0777, 0, 0));
        contents.remove(path);
    }

    public void run(String module, List<String> argv, Frequency frequency) {
        steps.add(new Step.RunCommand(id(module), module, argv, frequency));
    }

    private void makeParents(String module, String path) {
        Path parent = Path.of(path).getParent();
        if (parent != null && !parent.toString().equals("/") && !isDirectory(parent.toString())) {
            makeDirectory(module, parent.toString(), FileAttributes.ROOT_0755);
        }
    }

    /** module:path, with #2, #3 ... when the same thing is changed again (two write_files of one path). */
    private String id(String wanted) {
        String id = wanted;
        for (int n = 2; !ids.add(id); n++) {
            id = wanted + "#" + n;
        }
        return id;
    }

    @Override
    public Optional<byte[]> read(String path) {
        return contents.containsKey(path) ? Optional.of(contents.get(path).clone())
                : attributes.containsKey(path) ? Optional.empty() : base.read(path);
    }

    @Override
    public Optional<FileAttributes> attributes(String path) {
        return attributes.containsKey(path) ? Optional.of(attributes.get(path)) : base.attributes(path);
    }

    @Override
    public boolean isDirectory(String path) {
        return directories.contains(path) || (!contents.containsKey(path) && base.isDirectory(path));
    }

    @Override
    public List<String> list(String directory) {
        return base.list(directory);
    }
}
