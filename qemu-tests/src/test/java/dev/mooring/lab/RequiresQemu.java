package dev.mooring.lab;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test that boots QEMU machines: tagged {@code qemu}, skipped with the reason printed when it cannot run here. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("qemu")
@ExtendWith(QemuAvailable.class)
public @interface RequiresQemu {}
