package io.github.livetrace.internal;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.MetadataDefinition;
import jdk.jfr.Name;
import jdk.jfr.Relational;

/**
 * Marks a field that holds a livetrace task id, so that JDK Mission Control can relate the
 * begin, end, region and log events of one task (as it does with {@code gcId}).
 */
@MetadataDefinition
@Relational
@Name("livetrace.TaskId")
@Label("Task Id")
@Description("Id of a livetrace task, unique in this JVM; 0 is the background task")
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface TaskId {}
