package dev.mooring.runtime.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs root and network namespaces: tags it {@code netns} and skips it, with
 * the reason on {@code System.err}, when not root or without iproute2's {@code ip}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("netns")
@ExtendWith(NetnsAvailable.class)
public @interface RequiresNetns {}
