package io.arbiter.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** The drift check of an SDK: the fields it declares for each schema it mirrors are exactly the contract's. */
public final class ContractMirror {

  private ContractMirror() {}

  /**
   * {@code declared} maps each mirrored schema to the field names the SDK declares for it (as the SDK's own script
   * prints them); {@code where} names the SDK's file in the failure message.
   */
  public static void assertMirrors(JsonObject declared, List<String> mirrored, String where) {
    assertThat(declared.fieldNames()).containsExactlyInAnyOrderElementsOf(mirrored);
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject schemas = TestApp.await(OpenAPIContract.from(vertx, "openapi/arbiter.yaml")).getRawContract()
          .getJsonObject("components").getJsonObject("schemas");
      for (String schema : mirrored) {
        Set<String> contract = new TreeSet<>(schemas.getJsonObject(schema).getJsonObject("properties").fieldNames());
        Set<String> sdk = new TreeSet<>(declared.getJsonArray(schema).stream().map(String.class::cast).toList());
        assertThat(sdk).as("the SDK's fields of %s (%s) against the contract's", schema, where).isEqualTo(contract);
      }
    } finally {
      TestApp.await(vertx.close());
    }
  }
}
