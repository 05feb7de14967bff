package io.github.brazeodp.odp;

import com.squareup.moshi.JsonAdapter;
import io.github.brazeodp.odp.internal.OdpHttpApi;
import io.github.brazeodp.odp.internal.Wire;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Asks which audiences (segments) a customer qualifies for, through ODP's GraphQL endpoint ({@code
 * POST /v3/graphql}); obtained from {@link OdpClient#segments()}. Paced at 500 requests/s by
 * default.
 *
 * @see <a
 *     href="https://docs.developers.optimizely.com/optimizely-data-platform/docs/realtimesegments-querying-real-time-segments">ODP
 *     real-time segments query</a>
 */
public final class SegmentsService {
  private static final String QUERY =
      "query($userId: String, $audiences: [String]) {customer(%s: $userId)"
          + " {audiences(subset: $audiences) {edges {node {name state}}}}}";

  private final Transport transport;
  private final OdpHttpApi http;
  private final JsonAdapter<Wire.GraphQlResponse> adapter;

  SegmentsService(Transport transport, OdpHttpApi http, JsonAdapter<Wire.GraphQlResponse> adapter) {
    this.transport = transport;
    this.http = http;
    this.adapter = adapter;
  }

  /**
   * Returns the audiences of {@code subset} that the customer qualifies for, in ODP's order.
   *
   * <p>Values travel as GraphQL variables; the identifier name, which GraphQL cannot take as a
   * variable, is validated as a field name first. A web {@code vuid} must have its hyphens removed
   * before the call. An empty subset returns an empty list without a request.
   *
   * @param identifierName e.g. {@code fs_user_id}, {@code vuid} or {@code email}
   * @param value the identifier value
   * @param subset the audience names to check
   * @return the qualified audience names; never null
   * @throws OdpGraphQlException if ODP returns {@code errors[]}, e.g. an unknown customer ({@link
   *     OdpGraphQlException#isInvalidIdentifier()})
   */
  public List<String> qualified(String identifierName, String value, Collection<String> subset) {
    RowEncoder.requireName("identifierName", identifierName);
    RowEncoder.requireText("value", value);
    Objects.requireNonNull(subset, "subset");
    List<String> audiences = new ArrayList<>(subset.size());
    int i = 0;
    for (String name : subset) {
      RowEncoder.requireText("subset[" + i++ + "]", name);
      audiences.add(name);
    }
    if (audiences.isEmpty()) {
      return List.of();
    }
    Map<String, Object> variables = new LinkedHashMap<>();
    variables.put("userId", value);
    variables.put("audiences", audiences);
    Wire.GraphQlRequest request =
        new Wire.GraphQlRequest(String.format(QUERY, identifierName), variables);
    Wire.GraphQlResponse response =
        transport.execute(
            OdpApi.GRAPHQL,
            true,
            Transport.retrofit(tag -> http.graphql(request, tag)),
            r -> Transport.decode(OdpApi.GRAPHQL, adapter, r));
    if (response.errors() != null && !response.errors().isEmpty()) {
      throw graphQlException(response.errors());
    }
    if (response.data() == null
        || response.data().customer() == null
        || response.data().customer().audiences() == null) {
      throw new OdpDecodingException(
          OdpApi.GRAPHQL.endpoint(),
          "ODP graphql returned neither errors nor data.customer.audiences",
          null);
    }
    List<String> qualified = new ArrayList<>();
    List<Wire.Edge> edges = response.data().customer().audiences().edges();
    if (edges != null) {
      for (Wire.Edge edge : edges) {
        if (edge != null
            && edge.node() != null
            && edge.node().name() != null
            && "qualified".equals(edge.node().state())) {
          qualified.add(edge.node().name());
        }
      }
    }
    return List.copyOf(qualified);
  }

  private static OdpGraphQlException graphQlException(List<Wire.GraphQlErrorBody> bodies) {
    List<OdpGraphQlError> errors = new ArrayList<>();
    for (Wire.GraphQlErrorBody b : bodies) {
      if (b == null) {
        continue;
      }
      Map<String, Object> ext = b.extensions() == null ? Map.of() : b.extensions();
      List<String> path = new ArrayList<>();
      if (b.path() != null) {
        b.path().forEach(p -> path.add(String.valueOf(p)));
      }
      errors.add(
          new OdpGraphQlError(
              b.message(), text(ext.get("code")), text(ext.get("classification")), path));
    }
    if (errors.isEmpty()) {
      errors.add(new OdpGraphQlError("unspecified GraphQL error", null, null, List.of()));
    }
    OdpGraphQlError first = errors.get(0);
    String message =
        "ODP graphql query failed: "
            + (first.code() != null ? first.code() + ": " : "")
            + first.message()
            + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    return new OdpGraphQlException(message, errors);
  }

  private static String text(Object o) {
    return o == null ? null : o.toString();
  }

  @Override
  public String toString() {
    return "SegmentsService";
  }
}
