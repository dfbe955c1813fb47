package io.strata.server.avatica;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.ConnectionPropertiesImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.Meta.CursorFactory;
import org.apache.calcite.avatica.Meta.Frame;
import org.apache.calcite.avatica.remote.JsonService;
import org.apache.calcite.avatica.remote.ProtobufTranslation;
import org.apache.calcite.avatica.remote.ProtobufTranslationImpl;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.TypedValue;
import org.junit.jupiter.api.Test;

/**
 * Telling JSON from protobuf requests, and Avatica's protobuf messages (generated for protobuf
 * 3.25) working on the protobuf-java 4.30 runtime the build pins for Arrow Flight.
 */
class WireFormatTest {
  static final ProtobufTranslation PROTOBUF = new ProtobufTranslationImpl();

  /** One of each request the remote driver sends. */
  static List<Service.Request> requests() {
    Meta.StatementHandle h = new Meta.StatementHandle("c1", 7, null);
    return List.of(
        new Service.OpenConnectionRequest("c1", Map.of("user", "u")),
        new Service.ConnectionSyncRequest("c1", new ConnectionPropertiesImpl(true, true, 0, "strata", "semantic")),
        new Service.CreateStatementRequest("c1"),
        new Service.PrepareAndExecuteRequest("c1", 7, "SELECT 1", -1),
        new Service.PrepareRequest("c1", "SELECT ? FROM t", -1),
        new Service.ExecuteRequest(h, List.of(TypedValue.ofLocal(ColumnMetaData.Rep.STRING, "x"),
            TypedValue.ofLocal(ColumnMetaData.Rep.JAVA_SQL_DATE, 19782)), 100),
        new Service.FetchRequest("c1", 7, 100, 100),
        new Service.CatalogsRequest("c1"),
        new Service.SchemasRequest("c1", "strata", "sem%"),
        new Service.TablesRequest("c1", null, null, "%", List.of("TABLE")),
        new Service.ColumnsRequest("c1", "strata", "semantic", "orders", "%"),
        new Service.TableTypesRequest("c1"),
        new Service.TypeInfoRequest("c1"),
        new Service.DatabasePropertyRequest("c1"),
        new Service.CloseStatementRequest("c1", 7),
        new Service.CloseConnectionRequest("c1"));
  }

  @Test
  void protobufRequestsAreProtobufWhateverTheirSize() throws Exception {
    for (Service.Request r : requests()) {
      byte[] bytes = PROTOBUF.serializeRequest(r);
      assertThat(WireFormat.of(bytes, null)).as(r.getClass().getSimpleName())
          .isEqualTo(WireFormat.PROTOBUF);
      assertThat(PROTOBUF.serializeRequest(PROTOBUF.parseRequest(bytes))).as("round trip")
          .isEqualTo(bytes);
    }
  }

  @Test
  void jsonRequestsAreJson() throws Exception {
    for (Service.Request r : requests()) {
      byte[] bytes = JsonService.MAPPER.writeValueAsBytes(r);
      assertThat(WireFormat.of(bytes, null)).as(new String(bytes, StandardCharsets.UTF_8))
          .isEqualTo(WireFormat.JSON);
    }
    assertThat(WireFormat.of(" \r\n\t{\"request\":\"openConnection\"}".getBytes(
        StandardCharsets.UTF_8), null)).isEqualTo(WireFormat.JSON);
    assertThat(WireFormat.of(new byte[0], "{\"request\":\"openConnection\"}"))
        .as("the JSON driver may send its request as a header").isEqualTo(WireFormat.JSON);
    assertThat(WireFormat.of(new byte[0], null)).isEqualTo(WireFormat.PROTOBUF);
  }

  @Test
  void protobufResponsesSurviveTheNewerRuntime() throws Exception {
    ColumnMetaData column = JdbcValues.metaData(0, "n", Types.DECIMAL, "DECIMAL", true, 10, 2);
    Meta.Signature signature = new Meta.Signature(List.of(column), "SELECT n", List.of(), null,
        CursorFactory.LIST, Meta.StatementType.SELECT);
    Frame frame = new Frame(0, true, List.<Object>of(new Object[] {new java.math.BigDecimal("1.50")},
        new Object[] {null}));
    Service.ResultSetResponse rs = new Service.ResultSetResponse("c1", 7, false, signature,
        frame, -1, new Service.RpcMetadataResponse("host:8765"));
    Service.ExecuteResponse execute = new Service.ExecuteResponse(List.of(rs), false,
        new Service.RpcMetadataResponse("host:8765"));
    byte[] bytes = PROTOBUF.serializeResponse(execute);
    Service.ExecuteResponse back = (Service.ExecuteResponse) PROTOBUF.parseResponse(bytes);
    Frame f = back.results.get(0).firstFrame;
    assertThat(f.done).isTrue();
    List<Object> rows = new java.util.ArrayList<>();
    f.rows.forEach(rows::add);
    assertThat(rows).hasSize(2);
    assertThat(((List<?>) rows.get(0)).get(0)).isEqualTo(new java.math.BigDecimal("1.50"));
    assertThat(back.results.get(0).signature.columns.get(0).type.id).isEqualTo(Types.DECIMAL);

    Service.ErrorResponse error = new Service.ErrorResponse(List.of("x"), "bad (line 1, column 8)",
        1001, "42000", org.apache.calcite.avatica.AvaticaSeverity.ERROR,
        new Service.RpcMetadataResponse("host:8765"));
    Service.ErrorResponse e2 = (Service.ErrorResponse) PROTOBUF.parseResponse(
        PROTOBUF.serializeResponse(error));
    assertThat(e2.errorMessage).isEqualTo("bad (line 1, column 8)");
    assertThat(e2.sqlState).isEqualTo("42000");
    assertThat(com.google.protobuf.RuntimeVersion.MAJOR).as("the runtime really is 4.x")
        .isEqualTo(4);
  }
}
