package io.strata.server.metadata;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store suite on an H2 file database in a temporary directory (whose parent directory open() creates). */
class H2MetadataTest extends MetadataStoreContract {

    @TempDir
    static Path dir;

    @Override
    MetadataConfig emptyDatabase() {
        return TestDatabases.h2(dir.resolve("not-yet-created"));
    }

    @Override
    MetadataVendor expectedVendor() {
        return MetadataVendor.H2;
    }
}
