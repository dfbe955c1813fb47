package io.strata.benchmarks.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.benchmarks.profile.Phases.Phase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame-to-phase rules of the "where the time goes" report, on stacks as JFR gives them. */
class PhasesTest {
  @Test
  void theInnermostNamedFrameDecides() {
    // Caffeine and HashMap frames name nothing: the results cache's lookup below them does
    assertThat(Phases.classify(List.of("java.util.HashMap.get",
        "com.github.benmanes.caffeine.cache.BoundedLocalCache.getIfPresent",
        "io.strata.acceleration.cache.ResultCache.get", "io.strata.server.query.QueryService.execute",
        "io.netty.channel.nio.NioEventLoop.run"))).isEqualTo(Phase.LOOKUP);
    assertThat(Phases.classify(List.of("io.netty.buffer.PooledByteBufAllocator.newDirectBuffer",
        "org.apache.arrow.flight.ArrowMessage.asInputStream",
        "io.strata.server.flight.StrataFlightSqlProducer.stream"))).isEqualTo(Phase.ENCODE);
    assertThat(Phases.classify(List.of("sun.nio.ch.SocketDispatcher.write",
        "io.netty.channel.socket.nio.NioSocketChannel.doWrite",
        "org.apache.arrow.flight.ArrowMessage.asInputStream"))).isEqualTo(Phase.SEND);
  }

  @Test
  void moreSpecificRulesOfOneFrameWin() {
    assertThat(Phases.classify(List.of("org.apache.calcite.sql.parser.impl.SqlParserImpl"
        + ".jj_add_error_token", "io.strata.server.sql.SqlService.prepare")))
        .isEqualTo(Phase.PARSE);
    assertThat(Phases.classify(List.of("org.apache.calcite.sql.validate.SqlValidatorImpl"
        + ".validate", "io.strata.server.sql.SqlService.prepare"))).isEqualTo(Phase.TRANSLATE);
    assertThat(Phases.classify(List.of("io.strata.acceleration.cache.CacheKey.of",
        "io.strata.acceleration.cache.ResultCache.get"))).isEqualTo(Phase.KEY);
    assertThat(Phases.classify(List.of("com.fasterxml.jackson.core.json.UTF8StreamJsonParser"
        + ".nextToken", "io.strata.semantic.query.QueryJson.parse"))).isEqualTo(Phase.PARSE);
    assertThat(Phases.classify(List.of("com.fasterxml.jackson.core.json.UTF8JsonGenerator"
        + ".writeString", "io.strata.server.api.BatchStream.write"))).isEqualTo(Phase.ENCODE);
  }

  @Test
  void calciteWorkingForTheSemanticCompilerIsCompile() {
    assertThat(Phases.classify(List.of("org.apache.calcite.rel.rel2sql.RelToSqlConverter.visit",
        "io.strata.semantic.compile.SemanticCompiler.compile",
        "io.strata.server.query.QueryService.execute"))).isEqualTo(Phase.COMPILE);
    assertThat(Phases.classify(List.of("org.apache.calcite.rel.rel2sql.RelToSqlConverter.visit",
        "io.strata.server.sql.SemanticSelect.of",
        "io.strata.semantic.compile.SemanticCompiler.compile"))).isEqualTo(Phase.TRANSLATE);
    assertThat(Phases.classify(List.of("org.apache.calcite.sql.validate.SqlValidatorImpl"
        + ".validate", "io.strata.server.sql.SqlService.prepare",
        "io.grpc.internal.ServerImpl$JumpToApplicationThreadServerStreamListener.halfClosed")))
        .isEqualTo(Phase.TRANSLATE);
  }

  @Test
  void aLibraryWorksForItsStrataCaller() {
    assertThat(Phases.classify(List.of("org.h2.command.Command.executeQuery",
        "com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery",
        "io.strata.server.metadata.UserStore.find",
        "io.strata.server.security.AccessPolicy.context"))).isEqualTo(Phase.AUTH);
    assertThat(Phases.classify(List.of("com.zaxxer.hikari.pool.HikariPool.getConnection",
        "io.strata.server.query.QueryLogger.write"))).isEqualTo(Phase.LOG);
    assertThat(Phases.classify(List.of("com.zaxxer.hikari.pool.HikariPool.getConnection",
        "io.strata.server.query.QueryService.execute"))).isEqualTo(Phase.EXECUTE);
    assertThat(Phases.classify(List.of("org.apache.arrow.vector.ipc.ArrowStreamReader.loadNextBatch",
        "io.strata.acceleration.cache.ArrowIpc.read"))).isEqualTo(Phase.LOOKUP);
  }

  @Test
  void jobsAreBackgroundAndUnnamedStacksOther() {
    assertThat(Phases.classify(List.of("org.duckdb.DuckDBNative.duckdb_jdbc_fetch",
        "io.strata.server.query.QueryService.execute", "io.strata.server.jobs.JobRunner.run")))
        .isEqualTo(Phase.BACKGROUND);
    assertThat(Phases.classify(List.of("org.duckdb.DuckDBNative.duckdb_jdbc_fetch",
        "io.strata.server.query.QueryService.execute"))).isEqualTo(Phase.EXECUTE);
    assertThat(Phases.classify(List.of("java.lang.Thread.run"))).isEqualTo(Phase.OTHER);
    assertThat(Phases.classify(List.of())).isEqualTo(Phase.OTHER);
  }
}
