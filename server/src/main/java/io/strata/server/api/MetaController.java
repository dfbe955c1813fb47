package io.strata.server.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.strata.semantic.model.Dimension;
import io.strata.semantic.model.Measure;
import io.strata.semantic.model.Member;
import io.strata.semantic.model.Metric;
import io.strata.semantic.model.Model;
import io.strata.semantic.model.SemanticCatalog;
import io.strata.semantic.model.View;
import io.strata.server.catalog.CatalogService;
import io.strata.server.metadata.Role;
import io.strata.server.security.AccessPolicy;
import io.strata.server.security.SecurityContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /api/v1/meta}: what can be queried. Every model with its dimensions, measures,
 * metrics and segments (full names, types, titles, descriptions, formats) and every view with
 * its columns, in the shape Cube's {@code /meta} users expect. Table names and SQL stay hidden.
 */
@Controller("/api/v1/meta")
@ExecuteOn(TaskExecutors.BLOCKING)
@SecurityRequirement(name = "basic")
@SecurityRequirement(name = "bearer")
public class MetaController {
  private final CatalogService catalog;
  private final AccessPolicy access;

  public MetaController(CatalogService catalog, AccessPolicy access) {
    this.catalog = catalog;
    this.access = access;
  }

  public record Meta(List<ModelMeta> models, List<ViewMeta> views) {}

  public record ModelMeta(String name, String title, String description, String dataSource,
      List<MemberMeta> dimensions, List<MemberMeta> measures, List<MemberMeta> metrics,
      List<MemberMeta> segments, List<JoinMeta> joins) {}

  public record MemberMeta(String name, String shortName, String kind, String type, String title,
      String description, String format, String aggregation, boolean primaryKey) {}

  public record JoinMeta(String model, String relationship) {}

  public record ViewMeta(String name, String description, List<ViewColumn> columns) {}

  public record ViewColumn(String name, String member, String kind, String type, String title,
      String description, String format) {}

  @Operation(summary = "Models, views and their members")
  @Get
  public Meta meta(HttpRequest<?> request) {
    SecurityContext who = Requests.security(request, Role.VIEWER, access);
    SemanticCatalog c = catalog.catalog();
    List<ModelMeta> models = new ArrayList<>();
    // what the caller may not see is left out, as if it did not exist
    c.models().stream().sorted(Comparator.comparing(Model::name))
        .filter(m -> access.canSeeModel(who, m.name())).forEach(m -> {
      List<MemberMeta> dims = new ArrayList<>();
      List<MemberMeta> measures = new ArrayList<>();
      List<MemberMeta> metrics = new ArrayList<>();
      List<MemberMeta> segments = new ArrayList<>();
      for (Member member : SemanticCatalog.members(m)) {
        if (!access.canSeePath(who, member.path())) {
          continue;
        }
        MemberMeta meta = member(member, m.name() + "." + member.name());
        switch (member.kind()) {
          case DIMENSION -> dims.add(meta);
          case MEASURE -> measures.add(meta);
          case METRIC -> metrics.add(meta);
          case SEGMENT -> segments.add(meta);
        }
      }
      models.add(new ModelMeta(m.name(), Member.humanise(m.name()), m.description(), m.dataSource(),
          dims, measures, metrics, segments, m.joins().stream()
              .filter(j -> access.canSeeModel(who, j.model()))
              .map(j -> new JoinMeta(j.model(), j.relationship().name().toLowerCase(Locale.ROOT)))
              .toList()));
    });
    List<ViewMeta> views = new ArrayList<>();
    c.views().stream().sorted(Comparator.comparing(View::name))
        .filter(v -> access.canSeeView(who, v.name())).forEach(v -> {
      List<ViewColumn> columns = new ArrayList<>();
      for (Map.Entry<String, String> col : c.viewColumns(v.name()).entrySet()) {
        if (!access.canSeePath(who, v.name() + "." + col.getKey())) {
          continue;
        }
        c.resolve(col.getValue()).ifPresent(member -> {
          MemberMeta m = member(member, v.name() + "." + col.getKey());
          columns.add(new ViewColumn(m.name(), col.getValue(), m.kind(), m.type(), m.title(),
              m.description(), m.format()));
        });
      }
      views.add(new ViewMeta(v.name(), v.description(), columns));
    });
    return new Meta(models, views);
  }

  static MemberMeta member(Member member, String fullName) {
    String kind = member.kind().name().toLowerCase(Locale.ROOT);
    return switch (member.kind()) {
      case DIMENSION -> {
        Dimension d = member.dimension();
        yield new MemberMeta(fullName, d.name(), kind, d.type().name().toLowerCase(Locale.ROOT),
            member.title(), d.description(), d.format(), null,
            d.name().equals(member.model().primaryKey()));
      }
      case MEASURE -> {
        Measure x = member.measure();
        yield new MemberMeta(fullName, x.name(), kind, "number", member.title(),
            x.description(), x.format(), x.agg().name().toLowerCase(Locale.ROOT), false);
      }
      case METRIC -> {
        Metric x = member.metric();
        yield new MemberMeta(fullName, x.name(), kind, "number", member.title(),
            x.description(), x.format(), x.type().name().toLowerCase(Locale.ROOT), false);
      }
      case SEGMENT -> new MemberMeta(fullName, member.name(), kind, "boolean",
          member.title(), member.segment().description(), null, null, false);
    };
  }
}
