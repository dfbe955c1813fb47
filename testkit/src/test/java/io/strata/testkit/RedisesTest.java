package io.strata.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RedisesTest {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void sharedRedisAnswersAndIsCached() throws Exception {
        String uri = Redises.uri();
        assertThat(Redises.uri()).isSameAs(uri);
        Redises.ping(uri, 2000);
    }

    @Test
    void deleteByPrefixRemovesOnlyThatPrefix() {
        String uri = Redises.uri();
        String mine = Redises.uniquePrefix();
        String other = Redises.uniquePrefix();
        for (int i = 0; i < 25; i++) {
            Redises.command(uri, "SET", mine + i, "v");
        }
        Redises.command(uri, "SET", other + "keep", "v");
        try {
            assertThat(Redises.deleteByPrefix(uri, mine)).isEqualTo(25);
            assertThat(Redises.command(uri, "EXISTS", mine + "3")).isEqualTo(0L);
            assertThat(Redises.command(uri, "GET", other + "keep")).isEqualTo("v");
        } finally {
            Redises.deleteByPrefix(uri, other);
        }
        assertThatThrownBy(() -> Redises.deleteByPrefix(uri, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void explicitUriThatDoesNotAnswerFailsNamingTheEnvVar() throws Exception {
        String bad = "redis://127.0.0.1:" + closedPort();
        assertThatThrownBy(() -> Redises.resolve(bad, Redises.LOCAL_URI, () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Redises.URI_ENV).hasMessageContaining(bad);
    }

    @Test
    void nothingAvailableSaysHowToProvideOne() throws Exception {
        String local = "redis://127.0.0.1:" + closedPort();
        assertThatThrownBy(() -> Redises.resolve(null, local, () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("export " + Redises.URI_ENV)
                .hasMessageContaining("Docker is not available")
                .hasMessageContaining(local);
    }

    @Test
    void missingServerBinarySaysHowToProvideIt() {
        assertThatThrownBy(() -> Redises.findServer(null, "/nonexistent-dir"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("redis-server").hasMessageContaining(Redises.SERVER_ENV);
        assertThatThrownBy(() -> Redises.findServer("/nonexistent/redis-server", null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(Redises.SERVER_ENV);
    }

    @Test
    void ownServerStopsAndStartsAgainOnTheSamePort() throws Exception {
        try (Redises.OwnRedis r = Redises.startOwn()) {
            Redises.ping(r.uri(), 2000);
            Redises.command(r.uri(), "SET", "k", "v");
            r.stop();
            assertThat(r.running()).isFalse();
            assertThatThrownBy(() -> Redises.ping(r.uri(), 500)).isInstanceOf(IOException.class);
            r.start();
            Redises.ping(r.uri(), 2000);
            // nothing persisted
            assertThat(Redises.command(r.uri(), "GET", "k")).isNull();
        }
    }
}
