package dev.mooring.runtime.assembly;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Copies a dependency jar into the device's {@code lib/}, with two changes where they apply:
 *
 * <ul>
 *   <li>class files older than Java 6 (major version 50) are raised to Java 8 (52) with stack map
 *       frames computed by the JDK's ClassFile API. The JDK's AOT cache cannot link classes that
 *       need the old type-inferring verifier and leaves them out ("Unlinked class not supported by
 *       AOTClassLinking"): picocli 4.7.7 is built for Java 5, so every {@code mooring} command
 *       loaded and verified its ~180 classes from the jar at every start. The bytecode is otherwise
 *       unchanged (Java 5 and 8 instructions are the same set), and the JVM verifies the new frames
 *       when it loads them;</li>
 *   <li>native libraries for other platforms are left out: the runtime is jlinked for Linux on
 *       x86_64, and sqlite-jdbc carries 25 platforms' libraries (12 MB) of which it loads one.</li>
 * </ul>
 */
final class LibraryJars {

    /** Where a jar keeps per-platform native libraries, and the one platform the runtime runs on. */
    private static final String NATIVE_LIBRARIES = "org/sqlite/native/";
    private static final String THIS_PLATFORM = NATIVE_LIBRARIES + "Linux/x86_64/";

    /** What a copy changed: class files raised, entries of other platforms left out. */
    record Changes(int raised, int leftOut) {
        boolean none() {
            return raised == 0 && leftOut == 0;
        }
    }

    private static final int FIRST_WITH_STACK_MAPS = ClassFile.JAVA_6_VERSION;
    private static final int TARGET = ClassFile.JAVA_8_VERSION;

    private LibraryJars() {}

    /**
     * Copies {@code from} to {@code to}, a plain copy when nothing applies. Entries keep their
     * order, names and times, so the copy is as reproducible as the original.
     */
    static Changes copy(Path from, Path to) {
        try (JarFile jar = new JarFile(from.toFile());
             URLClassLoader loader = new URLClassLoader(new URL[] {from.toUri().toURL()}, null)) {
            boolean applies = Collections.list(jar.entries()).stream()
                    .anyMatch(e -> otherPlatform(e.getName())
                            || e.getName().endsWith(".class") && major(jar, e) < FIRST_WITH_STACK_MAPS);
            Files.createDirectories(to.getParent());
            if (!applies) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                return new Changes(0, 0);
            }
            // Frames need the class hierarchy: the jar's own classes, then the JDK's.
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            int raised = 0;
            int leftOut = 0;
            try (OutputStream file = Files.newOutputStream(to); JarOutputStream out = new JarOutputStream(file)) {
                for (JarEntry entry : Collections.list(jar.entries())) {
                    if (otherPlatform(entry.getName())) {
                        leftOut++;
                        continue;
                    }
                    byte[] bytes;
                    try (InputStream in = jar.getInputStream(entry)) {
                        bytes = in.readAllBytes();
                    }
                    if (entry.getName().endsWith(".class") && major(bytes) < FIRST_WITH_STACK_MAPS) {
                        bytes = raise(classFile, bytes);
                        raised++;
                    }
                    JarEntry copy = new JarEntry(entry.getName());
                    copy.setTime(entry.getTime());
                    out.putNextEntry(copy);
                    out.write(bytes);
                    out.closeEntry();
                }
            }
            return new Changes(raised, leftOut);
        } catch (IOException | IllegalArgumentException e) {
            throw new AssemblyException("cannot copy " + from + " into the runtime's lib/", e);
        }
    }

    /** A native library (or its folder) for another platform than the runtime's. */
    static boolean otherPlatform(String entry) {
        return entry.startsWith(NATIVE_LIBRARIES) && entry.length() > NATIVE_LIBRARIES.length()
                && !entry.startsWith(THIS_PLATFORM) && !THIS_PLATFORM.startsWith(entry);
    }

    private static byte[] raise(ClassFile classFile, byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        // Rebuilding every method body makes the API compute its stack map frames.
        ClassTransform version = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(TARGET, 0);
            } else {
                builder.with(element);
            }
        };
        return classFile.transformClass(model,
                version.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
    }

    private static int major(JarFile jar, JarEntry entry) {
        try (InputStream in = jar.getInputStream(entry)) {
            return major(in.readNBytes(8));
        } catch (IOException e) {
            throw new AssemblyException("cannot read " + entry.getName() + " in " + jar.getName(), e);
        }
    }

    /** The major version of a class file: bytes 6 and 7, after the magic number and the minor version. */
    static int major(byte[] classFile) {
        return classFile.length < 8 ? Integer.MAX_VALUE : ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }
}
