package io.github.brazeodp.odp.internal;

import io.github.brazeodp.odp.SchemaField;
import java.util.Map;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import retrofit2.Call;
import retrofit2.http.Body;
import retrofit2.http.GET;
import retrofit2.http.POST;
import retrofit2.http.Path;
import retrofit2.http.QueryMap;
import retrofit2.http.Tag;

/**
 * The ODP v3 REST surface, relative to the base URL (which ends in {@code /v3/}).
 *
 * <p>Every call returns the raw body so the transport decides, per status, whether to decode a
 * model or an error, and can map decoding failures to their own exception type.
 */
public interface OdpHttpApi {
  /** {@code POST /v3/events} with a pre-encoded JSON array. */
  @POST("events")
  Call<ResponseBody> sendEvents(@Body RequestBody body, @Tag ExchangeTag tag);

  /** {@code POST /v3/profiles} with a pre-encoded JSON array. */
  @POST("profiles")
  Call<ResponseBody> upsertProfiles(@Body RequestBody body, @Tag ExchangeTag tag);

  /** {@code GET /v3/profiles?<identifier>=<value>}. */
  @GET("profiles")
  Call<ResponseBody> getProfile(@QueryMap Map<String, String> identifier, @Tag ExchangeTag tag);

  /** {@code GET /v3/lists}. */
  @GET("lists")
  Call<ResponseBody> lists(@Tag ExchangeTag tag);

  /** {@code POST /v3/lists}. */
  @POST("lists")
  Call<ResponseBody> createList(@Body Wire.CreateListBody body, @Tag ExchangeTag tag);

  /** {@code POST /v3/lists/subscriptions} with a pre-encoded JSON array. */
  @POST("lists/subscriptions")
  Call<ResponseBody> updateSubscriptions(@Body RequestBody body, @Tag ExchangeTag tag);

  /** {@code GET /v3/schema/objects/{object}/fields}. */
  @GET("schema/objects/{object}/fields")
  Call<ResponseBody> fields(@Path("object") String objectName, @Tag ExchangeTag tag);

  /** {@code GET /v3/schema/objects/{object}/fields/{field}}. */
  @GET("schema/objects/{object}/fields/{field}")
  Call<ResponseBody> field(
      @Path("object") String objectName, @Path("field") String fieldName, @Tag ExchangeTag tag);

  /** {@code POST /v3/schema/objects/{object}/fields}. */
  @POST("schema/objects/{object}/fields")
  Call<ResponseBody> createField(
      @Path("object") String objectName, @Body SchemaField field, @Tag ExchangeTag tag);

  /** {@code POST /v3/graphql}. */
  @POST("graphql")
  Call<ResponseBody> graphql(@Body Wire.GraphQlRequest body, @Tag ExchangeTag tag);

  /** {@code POST /v3/export-segment-members}. */
  @POST("export-segment-members")
  Call<ResponseBody> startSegmentExport(@Body Wire.SegmentExportBody body, @Tag ExchangeTag tag);

  /** {@code GET /v3/export-segment-members/{id}}. */
  @GET("export-segment-members/{id}")
  Call<ResponseBody> segmentExportStatus(@Path("id") String jobId, @Tag ExchangeTag tag);

  /** {@code POST /v3/exports}. */
  @POST("exports")
  Call<ResponseBody> startDataExport(@Body Wire.DataExportBody body, @Tag ExchangeTag tag);

  /** {@code GET /v3/exports/{id}}. */
  @GET("exports/{id}")
  Call<ResponseBody> dataExportStatus(@Path("id") String jobId, @Tag ExchangeTag tag);
}
