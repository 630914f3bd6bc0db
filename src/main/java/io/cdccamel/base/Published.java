package io.cdccamel.base;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A type its feature package publishes: the other feature packages may use it; what is not marked
 * is the package's own. The ground floor ({@code base}, {@code settings}, {@code events},
 * {@code store}, {@code kafka}, {@code folder}) is everyone's and uses no feature. Checked by
 * {@code FeatureBoundariesTest}; the rule is in docs/configuration.md.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Published {
}
