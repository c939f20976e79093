from django.contrib import admin

from training.models import BaseModel


@admin.register(BaseModel)
class BaseModelAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "status", "path", "checked_at"]
    list_filter = ["status", "project"]
    search_fields = ["name", "path"]
    readonly_fields = ["info", "error", "checked_at"]
