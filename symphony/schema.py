"""OpenAPI schema generation (drf-spectacular)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Names schema components after the view for nested serializers.

    Our APIs nest `InputSerializer`/`OutputSerializer` in each view (docs/architecture.md, "Conventions");
    by class name alone every one would be the component "Input" or "Output"
    and overwrite the others in the schema. `AuthSignupApi.InputSerializer`
    becomes "AuthSignupInput".
    """

    def get_serializer_name(self, serializer, direction):
        cls = serializer.__class__
        outer, _, inner = cls.__qualname__.rpartition(".")
        if outer and "<locals>" not in outer:
            return outer.removesuffix("Api").replace(".", "") + inner.removesuffix("Serializer")
        return cls.__name__

    def get_operation(self, *args, **kwargs):
        # An old URL kept for one version (symphony.api.DeprecatedApiMixin) is listed as
        # deprecated, under its own operation id.
        operation = super().get_operation(*args, **kwargs)
        if operation and getattr(self.view, "successor", ""):
            operation["operationId"] += "_deprecated"
            operation["deprecated"] = True
        return operation
