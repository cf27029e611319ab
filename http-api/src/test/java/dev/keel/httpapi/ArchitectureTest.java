package dev.keel.httpapi;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The module table of DESIGN.md: each module's code uses only the modules it may depend on, directly.
 * Maven already keeps the build acyclic; this keeps a module from reaching past its table row through
 * a transitive dependency.
 */
class ArchitectureTest {

    /** {@code sim} is not on this module's classpath; the reactor builds it first, next door. */
    private static final Path SIM_CLASSES = Path.of("..", "sim", "target", "classes");

    static LayeredArchitecture moduleTable() {
        return layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("journal").definedBy("dev.keel.journal..")
            .layer("native").definedBy("dev.keel.os..")
            .layer("netplane").definedBy("dev.keel.netplane..")
            .layer("stateplane").definedBy("dev.keel.stateplane..")
            .layer("trust").definedBy("dev.keel.trust..")
            .layer("plugin-host").definedBy("dev.keel.pluginhost..")
            .layer("actors").definedBy("dev.keel.actors..")
            .layer("http-api").definedBy("dev.keel.httpapi..")
            .layer("sim").definedBy("dev.keel.sim..")
            .whereLayer("journal").mayNotAccessAnyLayer()
            .whereLayer("native").mayNotAccessAnyLayer()
            .whereLayer("netplane").mayOnlyAccessLayers("native")
            .whereLayer("stateplane").mayOnlyAccessLayers("native")
            .whereLayer("trust").mayOnlyAccessLayers("journal")
            .whereLayer("plugin-host").mayOnlyAccessLayers("netplane", "stateplane")
            .whereLayer("actors").mayOnlyAccessLayers("journal", "native", "netplane", "stateplane", "trust", "plugin-host")
            .whereLayer("http-api").mayOnlyAccessLayers("actors")
            .whereLayer("sim").mayOnlyAccessLayers("actors");
    }

    @Test
    void shouldKeepEveryModuleToItsRowOfTheModuleTable() {
        Set<Location> locations = new HashSet<>(Locations.ofPackage("dev.keel"));
        if (Files.isDirectory(SIM_CLASSES)) {
            locations.add(Location.of(SIM_CLASSES));
        }
        JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(locations);

        assertThat(classes.containPackage("dev.keel.actors")).isTrue();
        moduleTable().check(classes);
    }

    @Test
    void shouldReportAModuleThatReachesAboveItself() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.keel.journal.fixture", "dev.keel.httpapi.fixture");

        assertThatThrownBy(() -> moduleTable().check(fixture))
            .isInstanceOf(AssertionError.class)
            .hasMessageContaining("JournalReachingUp");
    }
}
