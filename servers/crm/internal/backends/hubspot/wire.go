package hubspot

import "encoding/json"

// HubSpot's JSON, as documented for CRM v3 (objects, search, batch read)
// and associations v4; only the fields the adapter reads.

// object is a SimplePublicObject(WithAssociations).
type object struct {
	ID           string             `json:"id"`
	Properties   map[string]*string `json:"properties"`
	CreatedAt    string             `json:"createdAt"`
	UpdatedAt    string             `json:"updatedAt"`
	Archived     bool               `json:"archived"`
	Associations map[string]struct {
		Results []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"results"`
	} `json:"associations"`
}

// prop returns property p, "" when absent or null.
func (o *object) prop(p string) string {
	if p == "" || o.Properties == nil || o.Properties[p] == nil {
		return ""
	}
	return *o.Properties[p]
}

type paging struct {
	Next *struct {
		After string `json:"after"`
	} `json:"next"`
}

// searchRequest is a PublicObjectSearchRequest.
type searchRequest struct {
	Query        string        `json:"query,omitempty"`
	FilterGroups []filterGroup `json:"filterGroups,omitempty"`
	Sorts        []sort        `json:"sorts,omitempty"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after,omitempty"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value,omitempty"`
}

type sort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// searchResponse is a CollectionResponseWithTotalSimplePublicObject.
type searchResponse struct {
	Total   int      `json:"total"`
	Results []object `json:"results"`
	Paging  *paging  `json:"paging"`
}

// associations is an associations v4 page
// (CollectionResponseMultiAssociatedObjectWithLabelForwardPaging).
type associations struct {
	Results []struct {
		ToObjectID json.Number `json:"toObjectId"`
	} `json:"results"`
	Paging *paging `json:"paging"`
}

// batchRead is a BatchReadInputSimplePublicObjectId.
type batchRead struct {
	Properties []string `json:"properties"`
	Inputs     []idRef  `json:"inputs"`
}

type idRef struct {
	ID string `json:"id"`
}

// batchResponse is a BatchResponseSimplePublicObject (200, or 207 with
// errors for ids that no longer exist).
type batchResponse struct {
	Status  string   `json:"status"`
	Results []object `json:"results"`
}

// newObject is a SimplePublicObjectInputForCreate.
type newObject struct {
	Properties   map[string]string `json:"properties"`
	Associations []association     `json:"associations,omitempty"`
}

type association struct {
	To    idRef             `json:"to"`
	Types []associationType `json:"types"`
}

type associationType struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// noteToContact is HubSpot's association type id from a note to a contact.
const noteToContact = 202

// patch is a SimplePublicObjectInput.
type patch struct {
	Properties map[string]string `json:"properties"`
}

// owner is a PublicOwner.
type owner struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

type ownersPage struct {
	Results []owner `json:"results"`
}
