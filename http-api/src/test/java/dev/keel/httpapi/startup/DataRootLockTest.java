package dev.keel.httpapi.startup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another process holding the lock is covered by KeeldIT; within one JVM the lock still refuses a second holder. */
class DataRootLockTest {

    @TempDir
    Path dataRoot;

    @Test
    void shouldRecordTheOwnersPidInTheLockFile() throws Exception {
        try (DataRootLock lock = DataRootLock.acquire(dataRoot, 4242)) {
            assertThat(Files.readString(dataRoot.resolve(DataRootLock.FILE_NAME))).isEqualTo("4242\n");
        }
    }

    @Test
    void shouldRefuseASecondHolderNamingTheFirst() throws Exception {
        try (DataRootLock lock = DataRootLock.acquire(dataRoot, 4242)) {
            assertThatThrownBy(() -> DataRootLock.acquire(dataRoot, 4343))
                    .isInstanceOf(DataRootLock.InUse.class)
                    .hasMessage("data root " + dataRoot + " is in use by another keeld (pid 4242); stop it or choose another --data-root");
        }
    }

    @Test
    void shouldBeFreeAgainAfterClose() throws Exception {
        DataRootLock.acquire(dataRoot, 1).close();

        try (DataRootLock lock = DataRootLock.acquire(dataRoot, 2)) {
            assertThat(Files.readString(dataRoot.resolve(DataRootLock.FILE_NAME))).isEqualTo("2\n");
        }
    }
}
