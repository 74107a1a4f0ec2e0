package dev.mooring.overlay.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs root and network namespaces: tags it {@code netns} and
 * skips it, with the reason printed to {@code System.err}, when the process is not root or
 * {@code ip} (iproute2) is missing.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("netns")
@ExtendWith(NetnsAvailable.class)
public @interface RequiresNetns {}
