from django.contrib import admin

from curation.models import DatasetVersion, Example, VersionItem


@admin.register(Example)
class ExampleAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "status", "author", "updated_at"]
    list_filter = ["status", "project"]
    search_fields = ["instruction", "input", "output"]
    raw_id_fields = ["author", "reviewer"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Frozen rows: staff may look, never change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DatasetVersion)
class DatasetVersionAdmin(ReadOnlyAdmin):
    list_display = ["name", "project", "content_hash", "created_at"]
    list_filter = ["project"]


@admin.register(VersionItem)
class VersionItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "version", "split", "example_id"]
    list_filter = ["split"]
