package io.strata.server.metadata;

/** The store suite on the test MariaDB server, in database {@value TestDatabases#DATABASE}. */
class MariadbMetadataTest extends MetadataStoreContract {

    @Override
    MetadataConfig emptyDatabase() throws Exception {
        return TestDatabases.emptyMariadb();
    }

    @Override
    MetadataVendor expectedVendor() {
        return MetadataVendor.MYSQL;
    }
}
