package dev.mooring.runtime.assembly;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Method-handle shapes made at build time, not at every start. A shape is a lambda form or a
 * bound-method-handle species; one the runtime does not hold is spun when first needed (bytecode
 * made with the class-file API, then defined), and no AOT cache keeps a spun class. FFM's downcall
 * to syscall(2) needs about thirty of them: ~30 ms of the service's way to READY and ~70 ms of its
 * CPU (measured, interleaved runs). Two places take the list ({@code src/assembly/jlink/method-handles.txt}):
 * <ul>
 *   <li>jlink's {@code --generate-jli-classes}, which writes them into java.base's holder classes.
 *       Given a list, jlink reads that list alone, so the JDK's own (jdk.jlink's
 *       default_jli_trace.txt) is copied in first;</li>
 *   <li>the runtime's {@code lib/classlist}, as {@code @lambda-form-invoker} lines: creating an AOT
 *       cache regenerates the holder classes from that file and the training's log, and a shape in
 *       neither is dropped from the cache's copy (JDK 25 warns "Method in original class is missing
 *       from regenerated class").</li>
 * </ul>
 */
final class MethodHandleShapes {

    private static final String JDK_LIST = "/modules/jdk.jlink/jdk/tools/jlink/internal/plugins/default_jli_trace.txt";
    private static final String CLASS_LIST_PREFIX = "@lambda-form-invoker ";

    private MethodHandleShapes() {}

    /** The shapes in {@code file}: its lines but comments ({@code #}) and blank ones. */
    static List<String> read(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new AssemblyException("cannot read the method-handle shapes in " + file, e);
        }
    }

    /** Writes jlink's list, the JDK's from {@code javaHome} and then {@code ours}, to {@code out}; returns {@code out}. */
    static Path forJlink(Path javaHome, List<String> ours, Path out) {
        List<String> lines = new ArrayList<>();
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", javaHome.toString()))) {
            lines.addAll(Files.readAllLines(jrt.getPath(JDK_LIST)));
        } catch (IOException e) {
            throw new AssemblyException("cannot read jlink's list of method-handle shapes (" + JDK_LIST + ") from " + javaHome
                    + "; is it a full JDK 25 with the jdk.jlink module?", e);
        }
        lines.addAll(ours);
        try {
            Files.createDirectories(out.getParent());
            Files.write(out, lines);
        } catch (IOException e) {
            throw new AssemblyException("cannot write the method-handle shapes for jlink to " + out, e);
        }
        return out;
    }

    /** Appends {@code ours} to the jlinked {@code runtime}'s lib/classlist, which AOT cache creation reads. */
    static void addToClassList(Path runtime, List<String> ours) {
        Path classList = runtime.resolve("lib/classlist");
        if (!Files.isRegularFile(classList)) {
            throw new AssemblyException(classList + " is missing: jlink copies the JDK's class list into every runtime,"
                    + " and AOT cache creation reads its method-handle shapes from it");
        }
        List<String> lines = ours.stream().map(l -> CLASS_LIST_PREFIX + l).toList();
        try {
            Files.write(classList, lines, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AssemblyException("cannot add the method-handle shapes to " + classList, e);
        }
    }
}
