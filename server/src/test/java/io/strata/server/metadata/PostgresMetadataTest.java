package io.strata.server.metadata;

/** The store suite on the test Postgres server, in database {@value TestDatabases#DATABASE}. */
class PostgresMetadataTest extends MetadataStoreContract {

    @Override
    MetadataConfig emptyDatabase() throws Exception {
        return TestDatabases.emptyPostgres();
    }

    @Override
    MetadataVendor expectedVendor() {
        return MetadataVendor.POSTGRES;
    }
}
