from django.contrib import admin

from curation.models import Example


@admin.register(Example)
class ExampleAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "status", "author", "updated_at"]
    list_filter = ["status", "project"]
    search_fields = ["instruction", "input", "output"]
    raw_id_fields = ["author", "reviewer"]
