"""The GET forms of the evidence and compare pages.

Plain GET parameters so every view has a shareable URL and works without
JavaScript (issue #6). An unknown value is a form error shown next to its
field, never a crash, and that filter is simply not applied.
"""
from django import forms

from kb.evidence import data

ANY = ("", "Any")


class EvidenceFilterForm(forms.Form):
    setting = forms.ChoiceField(required=False, label="Setting")
    antibody = forms.ChoiceField(required=False, label="CD38 medicine")
    partner = forms.ChoiceField(required=False, label="Partner drug")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("setting", "antibody", "partner"):
            self.fields[name].choices = [ANY, *choices[name]]

    def filters(self):
        """The valid filters (invalid ones dropped): {name: value}."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned.get(name, "") for name in ("setting", "antibody", "partner")}

    def sort_order(self):
        return data.parse_sort(self.data.get("sort"))


class CompareForm(forms.Form):
    a = forms.ChoiceField(label="First", required=True)
    b = forms.ChoiceField(label="Second", required=True)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        options = [("", "Choose…"), *[(group, items) for group, items in choices]]
        self.fields["a"].choices = options
        self.fields["b"].choices = options

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", "Choose two different regimens.")
        return cleaned
