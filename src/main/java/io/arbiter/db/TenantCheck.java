package io.arbiter.db;

/**
 * The tenant check of a statement that finds tasks by their key. It is written so that no index can serve it
 * ({@code IS NOT DISTINCT FROM}; a tenant is never null, so it means the equality): the tenants' listing index on
 * {@code tasks} (tenant, creation time, id) holds the key as well, and with an equality the planner took that index for
 * lookups by key and tenant, on a new database and on one in use alike. A statement planned once per connection then
 * read every task of the tenant on each call instead of probing the primary key.
 */
public final class TenantCheck {
  private TenantCheck() {}

  /** {@code column} (an SQL expression) is the tenant {@code value} (an SQL expression or parameter). */
  public static String of(String column, String value) {
    return column + " IS NOT DISTINCT FROM " + value;
  }
}
